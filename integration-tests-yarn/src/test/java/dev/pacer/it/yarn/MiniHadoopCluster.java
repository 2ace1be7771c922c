package dev.pacer.it.yarn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

/**
 * HDFS (one data node) and YARN (one resource manager, one node manager) inside the test JVM,
 * every server on 127.0.0.1, every wait bounded. Spark is given a minimal client configuration
 * ({@link #clientConfDir()}: the resource manager's addresses and {@code fs.defaultFS}), not the
 * mini cluster's whole configuration, which breaks Spark (docs/design.md section 8).
 */
final class MiniHadoopCluster implements AutoCloseable {

    private static final String LOOPBACK = "127.0.0.1";

    private final MiniDFSCluster dfs;
    private final MiniYARNCluster yarn;
    private final Path clientConfDir;
    final double hdfsStartSeconds;
    final double yarnStartSeconds;

    private MiniHadoopCluster(
            MiniDFSCluster dfs, MiniYARNCluster yarn, Path clientConfDir, double hdfsS, double yarnS) {
        this.dfs = dfs;
        this.yarn = yarn;
        this.clientConfDir = clientConfDir;
        this.hdfsStartSeconds = hdfsS;
        this.yarnStartSeconds = yarnS;
    }

    /**
     * Starts both clusters under {@code workDir}. MiniYARNCluster writes to ./target/NAME whatever
     * the build directory is, so the test JVM's working directory is set to one under the build
     * directory (see the module's pom).
     */
    static MiniHadoopCluster start(Path workDir, Duration bound) throws Exception {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, workDir.resolve("hdfs").toString());
        conf.setInt("dfs.replication", 1);
        long t0 = System.nanoTime();
        MiniDFSCluster dfs = bounded(
                "HDFS start-up",
                bound,
                () -> new MiniDFSCluster.Builder(conf)
                        .numDataNodes(1)
                        .format(true)
                        .build());
        double hdfsS = seconds(t0);
        try {
            dfs.waitActive();
            String defaultFs = "hdfs://" + LOOPBACK + ":" + dfs.getNameNodePort();

            YarnConfiguration yc = new YarnConfiguration(conf);
            yc.set(FileSystem.FS_DEFAULT_NAME_KEY, defaultFs);
            // Fixed ports, all on loopback: otherwise the mini cluster advertises (and binds) the
            // machine's host name, which need not resolve to loopback.
            yc.setBoolean(YarnConfiguration.YARN_MINICLUSTER_FIXED_PORTS, true);
            yc.set(YarnConfiguration.RM_HOSTNAME, LOOPBACK);
            for (String key : new String[] {
                YarnConfiguration.RM_ADDRESS,
                YarnConfiguration.RM_SCHEDULER_ADDRESS,
                YarnConfiguration.RM_RESOURCE_TRACKER_ADDRESS,
                YarnConfiguration.RM_ADMIN_ADDRESS,
                YarnConfiguration.RM_WEBAPP_ADDRESS
            }) {
                yc.set(key, LOOPBACK + ":" + freePort());
            }
            yc.set(YarnConfiguration.NM_PREFIX + "hostname", LOOPBACK);
            yc.set(YarnConfiguration.NM_ADDRESS, LOOPBACK + ":0");
            yc.set(YarnConfiguration.NM_LOCALIZER_ADDRESS, LOOPBACK + ":" + freePort());
            yc.set(YarnConfiguration.NM_WEBAPP_ADDRESS, LOOPBACK + ":" + freePort());
            // One node manager with room for the application master (the driver) and one executor.
            yc.setInt(YarnConfiguration.NM_PMEM_MB, 6144);
            yc.setInt(YarnConfiguration.NM_VCORES, 4);
            yc.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 256);
            yc.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_MB, 4096);
            yc.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
            yc.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
            // a build machine's disk is often fuller than the 90% YARN accepts by default
            yc.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 99.0f);
            yc.set("yarn.scheduler.capacity.root.queues", "default");
            yc.set("yarn.scheduler.capacity.root.default.capacity", "100");
            yc.set("yarn.scheduler.capacity.maximum-am-resource-percent", "0.5");
            yc.setBoolean(YarnConfiguration.TIMELINE_SERVICE_ENABLED, false);
            // Container logs are deleted this long after an application ends (default 3 hours).
            // The test copies them as soon as the client returns; while a deletion is pending,
            // stopping the node manager waits for it (10 s in its log handler, ~4 s more for the
            // application to be released).
            yc.setLong(YarnConfiguration.NM_LOG_RETAIN_SECONDS, 10);

            long t1 = System.nanoTime();
            MiniYARNCluster yarn = new MiniYARNCluster("pacer-yarn-it", 1, 1, 1);
            try {
                bounded("YARN start-up", bound, () -> {
                    yarn.init(yc);
                    yarn.start();
                    return null;
                });
                waitForNodeManager(yarn, bound);
            } catch (Exception | Error e) {
                stopQuietly(yarn);
                throw e;
            }
            double yarnS = seconds(t1);
            Path confDir = writeClientConf(workDir.resolve("hadoop-conf"), defaultFs, yarn.getConfig());
            return new MiniHadoopCluster(dfs, yarn, confDir, hdfsS, yarnS);
        } catch (Exception | Error e) {
            dfs.shutdown();
            throw e;
        }
    }

    /** The directory to pass as HADOOP_CONF_DIR to spark-submit. */
    Path clientConfDir() {
        return clientConfDir;
    }

    String defaultFs() {
        return yarn.getConfig().get(FileSystem.FS_DEFAULT_NAME_KEY);
    }

    FileSystem fileSystem() throws IOException {
        return dfs.getFileSystem();
    }

    /** The node manager's container log directories (one folder per application below each). */
    String[] containerLogDirs() {
        return yarn.getNodeManager(0).getConfig().getTrimmedStrings(YarnConfiguration.NM_LOG_DIRS);
    }

    /** Seconds the last {@link #close()} spent stopping YARN, then HDFS. */
    double yarnStopSeconds;

    double hdfsStopSeconds;

    @Override
    public void close() {
        long t0 = System.nanoTime();
        stopQuietly(yarn);
        yarnStopSeconds = seconds(t0);
        long t1 = System.nanoTime();
        dfs.shutdown(true);
        hdfsStopSeconds = seconds(t1);
    }

    private static void stopQuietly(MiniYARNCluster yarn) {
        try {
            yarn.stop();
        } catch (RuntimeException e) {
            System.err.println("stopping the mini YARN cluster: " + e);
        }
    }

    private static void waitForNodeManager(MiniYARNCluster yarn, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (yarn.getResourceManager().getRMContext().getRMNodes().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no node manager registered with the resource manager within " + bound);
            }
            Thread.sleep(100);
        }
    }

    private static Path writeClientConf(Path dir, String defaultFs, Configuration yarnConf) throws IOException {
        Files.createDirectories(dir);
        Map<String, String> core = new TreeMap<>();
        core.put(FileSystem.FS_DEFAULT_NAME_KEY, defaultFs);
        core.put("dfs.replication", "1");
        Files.writeString(dir.resolve("core-site.xml"), siteXml(core), StandardCharsets.UTF_8);
        Map<String, String> site = new TreeMap<>();
        site.put(YarnConfiguration.RM_HOSTNAME, LOOPBACK);
        for (String key : new String[] {
            YarnConfiguration.RM_ADDRESS,
            YarnConfiguration.RM_SCHEDULER_ADDRESS,
            YarnConfiguration.RM_RESOURCE_TRACKER_ADDRESS,
            YarnConfiguration.RM_ADMIN_ADDRESS,
            YarnConfiguration.RM_WEBAPP_ADDRESS
        }) {
            site.put(key, yarnConf.get(key));
        }
        Files.writeString(dir.resolve("yarn-site.xml"), siteXml(site), StandardCharsets.UTF_8);
        return dir;
    }

    private static String siteXml(Map<String, String> props) {
        StringBuilder s = new StringBuilder("<?xml version=\"1.0\"?>\n<configuration>\n");
        props.forEach((k, v) -> s.append("  <property><name>")
                .append(k)
                .append("</name><value>")
                .append(v)
                .append("</value></property>\n"));
        return s.append("</configuration>\n").toString();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + LOOPBACK, e);
        }
    }

    /** Runs {@code body} on its own thread and gives up after {@code bound}: a server thread that dies can leave a start-up waiting forever. */
    static <T> T bounded(String what, Duration bound, Callable<T> body) throws Exception {
        ExecutorService ex = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, what);
            t.setDaemon(true);
            return t;
        });
        try {
            Future<T> f = ex.submit(body);
            try {
                return f.get(bound.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                throw new IllegalStateException(what + " did not finish within " + bound, e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception c ? c : e;
            }
        } finally {
            ex.shutdownNow();
        }
    }

    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
