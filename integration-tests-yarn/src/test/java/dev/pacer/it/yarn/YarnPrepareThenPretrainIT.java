package dev.pacer.it.yarn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code pacer prepare} then {@code pacer pretrain} in yarn-cluster mode on a mini HDFS + YARN
 * cluster in this JVM, with Pacer built against Spark 3.5 (the registry has no spark-yarn 4.x):
 * the corpus is read from hdfs://, the prepared dataset, checkpoints and metrics are written to
 * hdfs://, the driver runs in YARN's application master and the gradient tasks in a YARN executor.
 * Everything it checks is read back through the HDFS API.
 *
 * <p>The module's pom builds what this needs before the test runs: the Spark 3.5 shaded jar and
 * a Spark 3.5 home (jars/ only). Skip with {@code -DskipYarnTests}. Client output, driver and
 * executor logs are copied to {@code target/yarn-it/logs}; timings go to
 * {@code target/yarn-it/timings.txt}.
 */
@Tag("yarn")
class YarnPrepareThenPretrainIT {

    private static final Duration START_BOUND = Duration.ofMinutes(2);
    private static final Duration JOB_BOUND = Duration.ofMinutes(5);
    private static final Duration STOP_BOUND = Duration.ofMinutes(2);
    private static final int CORPUS_LINES = 1000;
    private static final int STEPS = 12;
    private static final int CHECKPOINT_EVERY = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path work = Path.of(property("pacer.yarn.workDir"));
    private final Path sparkHome = Path.of(property("pacer.yarn.sparkHome"));
    private final Path appJar = Path.of(property("pacer.yarn.appJar"));
    private final Path europarl = Path.of(property("pacer.yarn.corpus"));
    private final Map<String, Double> timings = new LinkedHashMap<>();

    @Test
    void prepareThenPretrainInYarnClusterModeReadingAndWritingHdfs() throws Exception {
        for (Path p : List.of(sparkHome.resolve("jars"), appJar, europarl)) {
            assertTrue(
                    Files.exists(p),
                    p + " is missing: the module's pre-integration-test phase builds it"
                            + " (mvn verify -pl integration-tests-yarn)");
        }
        deleteTree(work.resolve("logs"));
        long t0 = System.nanoTime();
        MiniHadoopCluster cluster = MiniHadoopCluster.start(work, START_BOUND);
        timings.put("HDFS start-up", cluster.hdfsStartSeconds);
        timings.put("YARN start-up", cluster.yarnStartSeconds);
        try {
            runBothJobs(cluster);
        } finally {
            long t1 = System.nanoTime();
            MiniHadoopCluster.bounded("mini cluster shutdown", STOP_BOUND, () -> {
                cluster.close();
                return null;
            });
            timings.put("shutdown", MiniHadoopCluster.seconds(t1));
            timings.put("  of which YARN", cluster.yarnStopSeconds);
            timings.put("  of which HDFS", cluster.hdfsStopSeconds);
            timings.put("whole test", MiniHadoopCluster.seconds(t0));
            reportTimings();
        }
    }

    private void runBothJobs(MiniHadoopCluster cluster) throws Exception {
        FileSystem fs = cluster.fileSystem();
        String root = cluster.defaultFs() + "/pacer-it";
        String corpus = root + "/corpus/europarl-" + CORPUS_LINES + ".txt";
        String data = root + "/prepared";
        String run = root + "/run";
        uploadCorpus(fs, new org.apache.hadoop.fs.Path(corpus));

        SparkSubmission prepare = submit(
                cluster,
                "prepare",
                List.of(
                        "prepare",
                        "--input",
                        corpus,
                        "--output",
                        data,
                        "--set",
                        "pacer.data.shards=2",
                        "--set",
                        "pacer.train.seq-len=32"));
        timings.put("prepare job (submit to exit)", prepare.seconds());
        succeeded(cluster, "prepare", prepare);

        JsonNode manifest = JSON.readTree(read(fs, data + "/manifest.json"));
        assertEquals(257, manifest.path("tokenizer").path("vocab_size").asInt(), manifest.toString());
        for (String split : List.of("train", "validation")) {
            FileStatus[] shards = fs.globStatus(new org.apache.hadoop.fs.Path(data + "/" + split + "/shard-*.arrow"));
            assertEquals(2, shards.length, split + " shards in " + data);
            for (FileStatus s : shards) {
                assertTrue(s.getLen() > 0, s.getPath() + " is empty");
            }
        }

        SparkSubmission pretrain = submit(
                cluster,
                "pretrain",
                List.of(
                        "pretrain",
                        "--run-dir",
                        run,
                        "--max-steps",
                        String.valueOf(STEPS),
                        "--set",
                        "pacer.data.path=" + data,
                        "--set",
                        "pacer.model.preset=tiny",
                        "--set",
                        "pacer.train.seq-len=32",
                        "--set",
                        "pacer.train.global-batch=8",
                        "--set",
                        "pacer.train.micro-batch=4",
                        "--set",
                        "pacer.train.lr=5e-3",
                        "--set",
                        "pacer.train.eval-every=6",
                        "--set",
                        "pacer.train.eval-sequences=8",
                        "--set",
                        "pacer.checkpoint.every=" + CHECKPOINT_EVERY,
                        "--set",
                        "pacer.spark.partitions=2",
                        // the sharded update: Spark 3.5's block manager behind SparkBlocks, on YARN
                        "--set",
                        "pacer.spark.update=sharded"));
        timings.put("pretrain job (submit to exit)", pretrain.seconds());
        succeeded(cluster, "pretrain", pretrain);

        List<JsonNode> rows = jsonLines(read(fs, run + "/metrics.jsonl"));
        assertEquals(STEPS, rows.size(), "one metrics row per step");
        for (int i = 0; i < STEPS; i++) {
            assertEquals(i + 1, rows.get(i).path("step").asInt(), "row " + i);
        }
        double first = meanLoss(rows.subList(0, 3));
        double last = meanLoss(rows.subList(STEPS - 3, STEPS));
        // an untrained model's loss is near ln(257) = 5.55 nats per byte
        assertEquals(
                Math.log(257),
                rows.get(0).path("loss").asDouble(),
                0.3,
                rows.get(0).toString());
        assertTrue(
                last < first - 0.1,
                "loss did not fall: mean of the first 3 steps " + first + ", of the last 3 " + last);
        timings.put("loss, mean of first 3 steps", first);
        timings.put("loss, mean of last 3 steps", last);

        for (int step = CHECKPOINT_EVERY; step <= STEPS; step += CHECKPOINT_EVERY) {
            String dir = run + String.format("/checkpoints/step-%07d", step);
            // written by the two shard owners in parallel, in Hugging Face's sharded layout
            for (String f : List.of(
                    "COMMITTED",
                    "model.safetensors.index.json",
                    "model-00001-of-00002.safetensors",
                    "model-00002-of-00002.safetensors",
                    "optimizer.safetensors.index.json",
                    "state.json")) {
                assertTrue(fs.exists(new org.apache.hadoop.fs.Path(dir + "/" + f)), dir + "/" + f + " is missing");
            }
        }
        List<JsonNode> events = jsonLines(read(fs, run + "/events.jsonl"));
        JsonNode corpusEvent = events.stream()
                .filter(e -> "corpus".equals(e.path("event").asText()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no corpus event: " + events));
        assertTrue(corpusEvent.path("source").asText().startsWith("hdfs://"), corpusEvent.toString());
        assertEquals("finished", events.get(events.size() - 1).path("event").asText(), events.toString());
        assertTrue(fs.exists(new org.apache.hadoop.fs.Path(run + "/report/report.html")), "no report on hdfs");
    }

    private SparkSubmission submit(MiniHadoopCluster cluster, String name, List<String> pacerArgs) throws Exception {
        String javaHome = System.getProperty("java.home");
        Path djlCache = work.resolve("djl-cache");
        List<String> args = new ArrayList<>(List.of(
                "--master",
                "yarn",
                "--deploy-mode",
                "cluster",
                "--name",
                "pacer-" + name,
                "--class",
                "dev.pacer.cli.PacerCli",
                "--driver-memory",
                "1g",
                "--executor-memory",
                "1g",
                "--executor-cores",
                "2",
                "--num-executors",
                "1",
                // Spark's jars are on the (one) node already: nothing to upload for each application
                "--conf",
                "spark.yarn.jars=local:" + sparkHome.resolve("jars") + "/*",
                "--conf",
                "spark.yarn.maxAppAttempts=1",
                "--conf",
                "spark.ui.enabled=false",
                "--conf",
                "spark.yarn.appMasterEnv.SPARK_LOCAL_IP=127.0.0.1",
                "--conf",
                "spark.executorEnv.SPARK_LOCAL_IP=127.0.0.1",
                "--conf",
                "spark.yarn.appMasterEnv.JAVA_HOME=" + javaHome,
                "--conf",
                "spark.executorEnv.JAVA_HOME=" + javaHome,
                // libtorch's natives come from the shaded jar, extracted once into the build directory
                "--conf",
                "spark.yarn.appMasterEnv.DJL_CACHE_DIR=" + djlCache,
                "--conf",
                "spark.executorEnv.DJL_CACHE_DIR=" + djlCache,
                "--conf",
                "spark.driver.extraJavaOptions=-Dai.djl.offline=true",
                "--conf",
                "spark.executor.extraJavaOptions=-Dai.djl.offline=true",
                "local:" + appJar));
        args.addAll(pacerArgs);
        Map<String, String> env = Map.of(
                "SPARK_HOME",
                sparkHome.toString(),
                "SPARK_SCALA_VERSION",
                "2.13",
                "HADOOP_CONF_DIR",
                cluster.clientConfDir().toString(),
                "JAVA_HOME",
                javaHome,
                "SPARK_LOCAL_IP",
                "127.0.0.1");
        SparkSubmission s = SparkSubmission.run(
                sparkHome, env, args, work.resolve("logs").resolve(name + "-submit.log"), JOB_BOUND);
        collectContainerLogs(cluster, name, s.applicationId());
        return s;
    }

    private void succeeded(MiniHadoopCluster cluster, String name, SparkSubmission s) {
        assertTrue(s.applicationId() != null, name + " was never submitted to YARN:\n" + s.tail(40));
        assertEquals(
                0,
                s.exitCode(),
                name + " (" + s.applicationId() + ") failed; driver and executor logs under "
                        + work.resolve("logs").resolve(name) + "; client output:\n" + s.tail(40));
    }

    /**
     * Copies the node manager's container logs (driver = application master, executors) into the
     * build directory, before the node manager deletes them (see MiniHadoopCluster).
     */
    private void collectContainerLogs(MiniHadoopCluster cluster, String name, String appId) {
        if (appId == null) {
            return;
        }
        try {
            copyContainerLogs(cluster, name, appId);
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not copy all container logs of " + appId + ": " + e);
        }
    }

    private void copyContainerLogs(MiniHadoopCluster cluster, String name, String appId) throws IOException {
        Path target = work.resolve("logs").resolve(name);
        for (String dir : cluster.containerLogDirs()) {
            Path app = Path.of(dir.replaceFirst("^file:", "")).resolve(appId);
            if (!Files.isDirectory(app)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(app)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    Path to = target.resolve(app.getParent().relativize(f).toString());
                    Files.createDirectories(to.getParent());
                    Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** The first lines of the bundled Europarl sample, one document a line, as a plain text file on HDFS. */
    private void uploadCorpus(FileSystem fs, org.apache.hadoop.fs.Path to) throws IOException {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                        new GZIPInputStream(Files.newInputStream(europarl)), StandardCharsets.UTF_8));
                OutputStream out = fs.create(to, true)) {
            for (int i = 0; i < CORPUS_LINES; i++) {
                String line = in.readLine();
                if (line == null) {
                    break;
                }
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static byte[] read(FileSystem fs, String path) throws IOException {
        try (var in = fs.open(new org.apache.hadoop.fs.Path(path))) {
            return in.readAllBytes();
        }
    }

    private static List<JsonNode> jsonLines(byte[] bytes) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                rows.add(JSON.readTree(line));
            }
        }
        return rows;
    }

    private static double meanLoss(List<JsonNode> rows) {
        return rows.stream()
                .mapToDouble(r -> r.path("loss").asDouble())
                .average()
                .orElseThrow();
    }

    private void reportTimings() throws IOException {
        StringBuilder s = new StringBuilder("YARN test timings (seconds, losses in nats/byte):\n");
        timings.forEach((k, v) -> s.append(String.format("  %-32s %8.2f%n", k, v)));
        System.out.print(s);
        Files.createDirectories(work);
        Files.writeString(work.resolve("timings.txt"), s.toString(), StandardCharsets.UTF_8);
    }

    private static String property(String key) {
        String v = System.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("system property " + key + " is not set: run this test through Maven"
                    + " (mvn verify -pl integration-tests-yarn), whose failsafe configuration sets it");
        }
        return v;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
