package dev.pacer.it.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real Spark standalone cluster on this machine: one master and {@code n} workers as child JVMs
 * started from a Spark home made of Maven jars (docs/design.md section 8), every server bound
 * to 127.0.0.1 on ports chosen at run time. Each worker offers one core, so it runs one executor
 * JVM with one task at a time. Logs, work and scratch directories live under {@code dir}.
 * {@link #close()} stops the workers and the master and kills any executor JVM still alive.
 */
public final class StandaloneCluster implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LOOPBACK = "127.0.0.1";

    private final Path sparkHome;
    private final Path dir;
    private final List<Process> daemons = new ArrayList<>();
    private final List<Process> workers = new ArrayList<>();
    private int masterPort;
    private int masterUiPort;
    private Duration startup;

    private StandaloneCluster(Path sparkHome, Path dir) {
        this.sparkHome = sparkHome;
        this.dir = dir;
    }

    /**
     * Starts a master and {@code workers} workers of one core and {@code workerMemory} each and
     * waits, at most {@code timeout}, until the master lists them all ALIVE.
     */
    public static StandaloneCluster start(Path sparkHome, Path dir, int workers, String workerMemory, Duration timeout)
            throws IOException, InterruptedException {
        if (!Files.isDirectory(sparkHome.resolve("jars"))) {
            throw new IllegalStateException("no Spark home at " + sparkHome + " (jars/ missing): build it with"
                    + " mvn verify -pl integration-tests -am (pre-integration-test copies Spark's jars)");
        }
        installSubmitScript(sparkHome);
        StandaloneCluster c = new StandaloneCluster(sparkHome, dir);
        try {
            c.boot(workers, workerMemory, timeout);
            return c;
        } catch (IOException | InterruptedException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private void boot(int workerCount, String workerMemory, Duration timeout) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Files.createDirectories(dir.resolve("logs"));
        masterPort = freePort();
        masterUiPort = freePort();
        daemons.add(daemon(
                "master",
                Map.of(),
                "org.apache.spark.deploy.master.Master",
                "--host",
                LOOPBACK,
                "--port",
                Integer.toString(masterPort),
                "--webui-port",
                Integer.toString(masterUiPort)));
        for (int i = 1; i <= workerCount; i++) {
            Path w = Files.createDirectories(dir.resolve("worker-" + i));
            // executors inherit the worker's environment: a node-local DJL cache and scratch space
            Process p = daemon(
                    "worker-" + i,
                    Map.of(
                            "DJL_CACHE_DIR",
                            w.resolve("djl-cache").toString(),
                            "SPARK_LOCAL_DIRS",
                            Files.createDirectories(w.resolve("local")).toString()),
                    "org.apache.spark.deploy.worker.Worker",
                    "--host",
                    LOOPBACK,
                    "--webui-port",
                    Integer.toString(freePort()),
                    "--cores",
                    "1",
                    "--memory",
                    workerMemory,
                    "--work-dir",
                    Files.createDirectories(w.resolve("work")).toString(),
                    masterUrl());
            daemons.add(p);
            workers.add(p);
        }
        awaitAliveWorkers(workerCount, timeout);
        startup = Duration.ofNanos(System.nanoTime() - t0);
    }

    /** The master's URL, {@code spark://127.0.0.1:port}. */
    public String masterUrl() {
        return "spark://" + LOOPBACK + ":" + masterPort;
    }

    public Path sparkHome() {
        return sparkHome;
    }

    /** From the first process start to the master listing every worker ALIVE. */
    public Duration startupTime() {
        return startup;
    }

    /** What every Spark process of this cluster (drivers included) needs in its environment. */
    public Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("SPARK_HOME", sparkHome.toString());
        env.put("SPARK_LOCAL_IP", LOOPBACK);
        env.put("SPARK_LOCAL_HOSTNAME", LOOPBACK);
        // the launcher of a home without Spark's build folders needs the Scala version spelled out
        env.put("SPARK_SCALA_VERSION", "2.13");
        return env;
    }

    /** Live executor JVMs of worker {@code i} (1-based): children of that worker's JVM. */
    public List<ProcessHandle> executorsOf(int i) {
        return workers.get(i - 1)
                .toHandle()
                .descendants()
                .filter(StandaloneCluster::isExecutor)
                .filter(ProcessHandle::isAlive)
                .toList();
    }

    /** Live executor JVMs of every worker. */
    public List<ProcessHandle> executors() {
        List<ProcessHandle> all = new ArrayList<>();
        for (int i = 1; i <= workers.size(); i++) {
            all.addAll(executorsOf(i));
        }
        return all;
    }

    private static boolean isExecutor(ProcessHandle p) {
        return p.info()
                .commandLine()
                .map(c -> c.contains("CoarseGrainedExecutorBackend"))
                .orElse(false);
    }

    /** The master's state as its web UI reports it ({@code /json/}). */
    public JsonNode masterState() throws IOException, InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + LOOPBACK + ":" + masterUiPort + "/json/"))
                .timeout(Duration.ofSeconds(5))
                .build();
        return JSON.readTree(
                http.send(req, HttpResponse.BodyHandlers.ofString()).body());
    }

    private void awaitAliveWorkers(int n, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            for (Process p : daemons) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("a cluster process exited with " + p.exitValue()
                            + " during start-up; see the logs in " + dir.resolve("logs"));
                }
            }
            try {
                JsonNode state = masterState();
                long alive = 0;
                for (JsonNode w : state.path("workers")) {
                    alive += "ALIVE".equals(w.path("state").asText()) ? 1 : 0;
                }
                if (alive >= n) {
                    return;
                }
                last = alive + " of " + n + " workers ALIVE";
            } catch (IOException e) {
                last = "master UI not answering: " + e;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(
                "cluster not up after " + timeout + " (" + last + "); see the logs in " + dir.resolve("logs"));
    }

    private Process daemon(String name, Map<String, String> extraEnv, String mainClass, String... args)
            throws IOException {
        List<String> cmd =
                new ArrayList<>(List.of(javaBin(), "-Xmx256m", "-cp", sparkHome.resolve("jars") + "/*", mainClass));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("logs").resolve(name + ".log").toFile());
        pb.environment().putAll(environment());
        pb.environment().putAll(extraEnv);
        return pb.start();
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return s.getLocalPort();
        }
    }

    /** Puts the launcher-driven {@code bin/spark-submit} into the home (SparkLauncher runs it). */
    private static void installSubmitScript(Path home) throws IOException {
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path script = bin.resolve("spark-submit");
        try (InputStream in = StandaloneCluster.class.getResourceAsStream("/spark-home/bin/spark-submit")) {
            if (in == null) {
                throw new IllegalStateException("test resource /spark-home/bin/spark-submit missing");
            }
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /**
     * Stops workers (which stop their executors) and the master, each bounded; then kills any
     * executor JVM that outlived its worker, and deletes the application jars the executors
     * fetched into the work directories (logs stay).
     */
    @Override
    public void close() {
        List<ProcessHandle> children = new ArrayList<>();
        for (Process p : daemons) {
            children.addAll(p.toHandle().descendants().toList());
        }
        for (Process p : workers) {
            p.destroy();
        }
        for (Process p : daemons) {
            p.destroy();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        for (Process p : daemons) {
            try {
                long left = Math.max(1, deadline - System.nanoTime());
                if (!p.waitFor(left, java.util.concurrent.TimeUnit.NANOSECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (ProcessHandle h : children) {
            h.destroyForcibly();
        }
        try (Stream<Path> files = Files.exists(dir) ? Files.walk(dir) : Stream.empty()) {
            for (Path f : files.filter(f -> f.toString().endsWith(".jar")
                            // the workers' work directories, whatever the checkout's own path
                            && ("/" + dir.relativize(f)).contains("/work/"))
                    .toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
