package dev.pacer.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.it.cluster.PacerSubmission;
import dev.pacer.it.cluster.StandaloneCluster;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code pacer pretrain} on a real Spark standalone cluster (one master, two one-core workers,
 * one executor JVM each) submitted with the shaded jar through Spark's launcher, and
 * docs/design.md section 6 under real failures: a killed executor costs only its task (the metric rows stay bit
 * identical), a killed driver resumes from its newest committed checkpoint to bit-identical
 * weights, and a damaged checkpoint is refused with a warning in favour of the one before it; the
 * same with the sharded update, where a killed executor takes the run's state with it and the run
 * restarts from its newest checkpoint, to the same rows.
 * One undisturbed reference run serves every comparison. Prints the measured times as a table.
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {

    private static final int STEPS = 30;
    private static final int EVERY = 5;
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path work;
    private static Path submitJar;
    private static String log4j;
    private static StandaloneCluster cluster;
    private static Path reference;
    private static double referenceSeconds;
    private static final Map<String, String> FIGURES = new LinkedHashMap<>();

    @BeforeAll
    static void startCluster() throws Exception {
        work = Path.of(required("pacer.it.work")).resolve("standalone");
        submitJar = Path.of(required("pacer.it.submitJar"));
        deleteTree(work);
        // Pacer's logging, plus where each task ran and why one failed
        Path log4jFile = Files.createDirectories(work).resolve("log4j2.properties");
        Files.writeString(
                log4jFile,
                Files.readString(Path.of(required("pacer.it.log4j")))
                        + "\nlogger.tasks.name = org.apache.spark.scheduler.TaskSetManager\nlogger.tasks.level = info\n");
        log4j = log4jFile.toString();
        cluster = StandaloneCluster.start(
                Path.of(required("pacer.it.sparkHome")), work.resolve("cluster"), 2, "2g", Duration.ofSeconds(90));
        figure(
                "cluster start-up (master + 2 workers ALIVE)",
                "%.1f s",
                cluster.startupTime().toMillis() / 1e3);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
        System.out.println();
        System.out.println("| standalone cluster, 2 one-core executors, tiny preset | measured |");
        System.out.println("|---|---:|");
        FIGURES.forEach((k, v) -> System.out.println("| " + k + " | " + v + " |"));
    }

    @Test
    @Order(1)
    void twoExecutorsTrainTheTinyModelAndWriteCheckpointsAndMetrics() throws Exception {
        Path run = reference();
        List<JsonNode> rows = rawRows(run);
        assertEquals(STEPS, rows.size());
        for (int i = 0; i < STEPS; i++) {
            assertEquals(i + 1, rows.get(i).get("step").asInt());
        }
        double first = rows.get(0).get("loss").asDouble();
        double last = rows.get(STEPS - 1).get("val_loss").asDouble();
        assertEquals(Math.log(257), first, 0.3); // a byte model starts near ln(257)
        assertTrue(last < first - 1.0, "validation loss " + last + " did not fall below the first loss " + first);
        for (int step = STEPS - 2 * EVERY; step <= STEPS; step += EVERY) {
            assertTrue(Files.exists(checkpoint(run, step).resolve("COMMITTED")), "checkpoint " + step);
        }
        JsonNode start = TinyRun.events(run).stream()
                .filter(e -> "start".equals(e.path("event").asText()))
                .findFirst()
                .orElseThrow();
        assertEquals(1, start.get("threads_per_task").asInt());
        figure("tiny step, 2 executors (steps 6-30)", "%.0f ms", stepMillis(rows));

        // the same command on local[2] in one JVM: the step cost without the cluster's RPCs
        Path local = work.resolve("local");
        try (PacerSubmission s = submit("local", local, "local[2]")) {
            assertEquals(0, s.await(RUN_TIMEOUT), s.output());
        }
        figure("tiny step, local[2] (steps 6-30)", "%.0f ms", stepMillis(rawRows(local)));
        // one libtorch thread a task either way, partition-ordered sums: the same numbers
        assertSameRows(run, local, "local[2] against the cluster");
    }

    @Test
    @Order(2)
    void aKilledExecutorCostsOnlyItsTaskAndChangesNoMetric() throws Exception {
        Path ref = reference();
        Path run = work.resolve("executor-killed");
        ProcessHandle victim;
        long killedAfter;
        double seconds;
        try (PacerSubmission s = submit("executor-killed", run, cluster.masterUrl())) {
            assertTrue(s.awaitCondition(() -> lastStep(run) >= 12, RUN_TIMEOUT), s.output());
            List<ProcessHandle> executors = cluster.executorsOf(1);
            assertEquals(1, executors.size(), "executor JVMs on worker 1: " + executors);
            victim = executors.get(0);
            victim.destroyForcibly(); // SIGKILL
            killedAfter = lastStep(run);
            assertEquals(0, s.await(RUN_TIMEOUT), s.output());
            seconds = s.elapsedSeconds();
            String out = s.output();
            assertTrue(out.contains("Lost executor"), "the driver never lost an executor:\n" + out);
        }
        assertFalse(victim.isAlive());
        assertTrue(killedAfter < STEPS - 3, "killed too late, after step " + killedAfter);
        assertEquals(STEPS, TinyRun.deterministicRows(run).size());
        assertSameRows(ref, run, "executor killed after step " + killedAfter);
        figure(
                "run with an executor killed after step " + killedAfter + " minus undisturbed run",
                "%+.1f s",
                seconds - referenceSeconds);
    }

    @Test
    @Order(3)
    void aKilledDriverResumesFromTheNewestCommittedCheckpoint() throws Exception {
        Path ref = reference();
        Path run = work.resolve("driver-killed");
        long killedAfter;
        try (PacerSubmission s = submit("driver-killed-1", run, cluster.masterUrl())) {
            assertTrue(s.awaitCondition(() -> lastStep(run) >= 13, RUN_TIMEOUT), s.output());
            s.killDriver(); // kill -9, in the middle of step 14 or so
            killedAfter = lastStep(run);
        }
        long resumeFrom = killedAfter / EVERY * EVERY;
        assertTrue(resumeFrom > 0 && resumeFrom < STEPS, "killed after step " + killedAfter);
        assertTrue(Files.exists(checkpoint(run, resumeFrom).resolve("COMMITTED")));

        double toFirstStep;
        try (PacerSubmission s = submit("driver-killed-2", run, cluster.masterUrl())) {
            // the relaunched driver rewrites metrics.jsonl, then logs "resume", then step resumeFrom + 1
            assertTrue(s.awaitCondition(() -> resumed(run) && lastStep(run) > resumeFrom, RUN_TIMEOUT), s.output());
            toFirstStep = s.elapsedSeconds();
            assertEquals(0, s.await(RUN_TIMEOUT), s.output());
        }
        JsonNode resume = event(run, "resume");
        assertEquals(resumeFrom, resume.get("step").asLong());
        // the rows after the checkpoint (and a row the kill may have cut off) are dropped
        assertTrue(resume.get("metric_rows_dropped").asLong() >= killedAfter - resumeFrom, resume.toString());

        // no duplicated or missing step, every row as in the undisturbed run
        assertSameRows(ref, run, "driver killed after step " + killedAfter);
        assertSameWeights(checkpoint(ref, STEPS), checkpoint(run, STEPS), "optimizer.safetensors");
        figure(
                "driver killed after step " + killedAfter + ": relaunch to step " + (resumeFrom + 1),
                "%.1f s",
                toFirstStep);
    }

    @Test
    @Order(4)
    void aTruncatedCheckpointIsRefusedWithAWarningAndThePreviousOneResumed() throws Exception {
        Path ref = reference();
        Path run = work.resolve("truncated");
        copyTree(ref, run);
        Path model = checkpoint(run, STEPS).resolve("model.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(model.toFile(), "rw")) {
            f.setLength(f.length() - 100);
        }
        String out;
        try (PacerSubmission s = submit("truncated", run, cluster.masterUrl())) {
            assertEquals(0, s.await(RUN_TIMEOUT), s.output());
            out = s.output();
        }
        String named = "step-" + String.format("%07d", STEPS) + "/model.safetensors";
        assertTrue(
                out.lines().anyMatch(l -> l.contains("WARN") && l.contains(named) && l.contains("damaged")),
                "no warning naming " + named + " in the driver's output:\n" + out);
        JsonNode resume = event(run, "resume");
        assertEquals(STEPS - EVERY, resume.get("step").asLong());
        assertTrue(resume.get("warnings").get(0).asText().contains(named), resume.toString());
        assertSameRows(ref, run, "truncated checkpoint");
        assertSameWeights(checkpoint(ref, STEPS), checkpoint(run, STEPS));
    }

    private static final String[] SHARDED = {"--set", "pacer.spark.update=sharded"};

    @Test
    @Order(5)
    void theShardedUpdateComputesTheDriverHeldRunsRowsAndWeightsAcrossExecutors() throws Exception {
        Path ref = reference();
        Path run = work.resolve("sharded");
        double seconds;
        try (PacerSubmission s = submit("sharded", run, cluster.masterUrl(), SHARDED)) {
            assertEquals(0, s.await(RUN_TIMEOUT), s.output());
            seconds = s.elapsedSeconds();
        }
        // the replicas and the two owners exchanged their blocks between the two executor JVMs
        assertSameRows(ref, run, "sharded update against the driver-held one");
        assertSamePoint(checkpoint(ref, STEPS), checkpoint(run, STEPS));
        assertTrue(Files.exists(checkpoint(run, STEPS).resolve("model.safetensors.index.json")));
        figure("undisturbed run, sharded update, submit to exit", "%.1f s", seconds);
        figure("tiny step, 2 executors, sharded update (steps 6-30)", "%.0f ms", stepMillis(rawRows(run)));
    }

    @Test
    @Order(6)
    void aKilledExecutorRestartsAShardedRunFromItsNewestCheckpointWithTheSameRows() throws Exception {
        Path ref = reference();
        Path run = work.resolve("sharded-executor-killed");
        long killedAfter;
        double seconds;
        try (PacerSubmission s = submit("sharded-executor-killed", run, cluster.masterUrl(), SHARDED)) {
            assertTrue(s.awaitCondition(() -> lastStep(run) >= 12, RUN_TIMEOUT), s.output());
            List<ProcessHandle> executors = cluster.executorsOf(1);
            assertEquals(1, executors.size(), "executor JVMs on worker 1: " + executors);
            executors.get(0).destroyForcibly();
            killedAfter = lastStep(run);
            assertEquals(0, s.await(RUN_TIMEOUT), s.output());
            seconds = s.elapsedSeconds();
        }
        assertTrue(killedAfter < STEPS - 3, "killed too late, after step " + killedAfter);
        JsonNode lost = event(run, "state_lost");
        assertTrue(lost.get("restart_from").asText().contains("step-"), lost.toString());
        // the restart dropped the rows after its checkpoint and computed them again, exactly
        assertSameRows(ref, run, "sharded run, executor killed after step " + killedAfter);
        assertSamePoint(checkpoint(ref, STEPS), checkpoint(run, STEPS));
        figure(
                "sharded run with an executor killed after step " + killedAfter + " minus undisturbed run",
                "%+.1f s",
                seconds - referenceSeconds);
    }

    @Test
    @Order(7)
    void aKilledDriverResumesAShardedRunExactly() throws Exception {
        Path ref = reference();
        Path run = work.resolve("sharded-driver-killed");
        long killedAfter;
        try (PacerSubmission s = submit("sharded-driver-killed-1", run, cluster.masterUrl(), SHARDED)) {
            assertTrue(s.awaitCondition(() -> lastStep(run) >= 13, RUN_TIMEOUT), s.output());
            s.killDriver();
            killedAfter = lastStep(run);
        }
        try (PacerSubmission s = submit("sharded-driver-killed-2", run, cluster.masterUrl(), SHARDED)) {
            assertEquals(0, s.await(RUN_TIMEOUT), s.output());
        }
        assertEquals(
                killedAfter / EVERY * EVERY, event(run, "resume").get("step").asLong());
        assertSameRows(ref, run, "sharded run, driver killed after step " + killedAfter);
        assertSamePoint(checkpoint(ref, STEPS), checkpoint(run, STEPS));
    }

    /** Weights and optimizer state equal, whichever file layout each checkpoint uses. */
    private static void assertSamePoint(Path refCheckpoint, Path runCheckpoint) throws IOException {
        dev.pacer.model.ParameterLayout layout =
                new dev.pacer.model.ParameterLayout(dev.pacer.model.ModelPreset.TINY.config(257));
        org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
        var a = new dev.pacer.run.CheckpointStore(new dev.pacer.run.RunStorage(refCheckpoint.toString(), conf), layout)
                .readPoint(new org.apache.hadoop.fs.Path(refCheckpoint.toUri()), false);
        var b = new dev.pacer.run.CheckpointStore(new dev.pacer.run.RunStorage(runCheckpoint.toString(), conf), layout)
                .readPoint(new org.apache.hadoop.fs.Path(runCheckpoint.toUri()), false);
        assertArrayEquals(a.weights(), b.weights(), "weights");
        assertEquals(a.optimizerState().keySet(), b.optimizerState().keySet());
        for (String k : a.optimizerState().keySet()) {
            assertArrayEquals(a.optimizerState().get(k), b.optimizerState().get(k), k);
        }
        assertEquals(a.optimizerSteps(), b.optimizerSteps());
    }

    /**
     * Rows bit-identical, timing fields aside. Runs used to drift at a rare step (same loss,
     * another gradient) until the attention scale's native memory was kept alive through backward
     * (GptForward, GradientUnderGcTest); with that fixed, anything but identical rows is a bug.
     */
    private static void assertSameRows(Path ref, Path run, String what) throws IOException {
        assertEquals(TinyRun.deterministicRows(ref), TinyRun.deterministicRows(run), what);
    }

    /** The model files, and any further files named, byte-identical. */
    private static void assertSameWeights(Path refCheckpoint, Path runCheckpoint, String... alsoIdentical)
            throws IOException {
        assertArrayEquals(
                Files.readAllBytes(refCheckpoint.resolve("model.safetensors")),
                Files.readAllBytes(runCheckpoint.resolve("model.safetensors")),
                "model.safetensors");
        for (String file : alsoIdentical) {
            assertArrayEquals(
                    Files.readAllBytes(refCheckpoint.resolve(file)),
                    Files.readAllBytes(runCheckpoint.resolve(file)),
                    file);
        }
    }

    /** The undisturbed run every test compares with; the first test to need it runs it. */
    private static synchronized Path reference() throws Exception {
        if (reference == null) {
            Path run = work.resolve("reference");
            try (PacerSubmission s = submit("reference", run, cluster.masterUrl())) {
                assertEquals(0, s.await(RUN_TIMEOUT), s.output());
                referenceSeconds = s.elapsedSeconds();
            }
            reference = run;
            figure("undisturbed run, submit to exit (" + STEPS + " steps)", "%.1f s", referenceSeconds);
        }
        return reference;
    }

    /**
     * {@code pacer pretrain} of the tiny preset with two partitions: one task per executor
     * (one core each, {@code spark.task.cpus=1}) and one libtorch thread per task.
     */
    private static PacerSubmission submit(String name, Path run, String master, String... extra) throws IOException {
        Map<String, String> conf = new LinkedHashMap<>();
        String javaOpts = "-Dai.djl.offline=true -Dlog4j2.configurationFile=" + log4j;
        conf.put("spark.driver.extraJavaOptions", javaOpts);
        conf.put("spark.executor.extraJavaOptions", javaOpts);
        conf.put("spark.driver.memory", "1g");
        conf.put("spark.executor.memory", "1g");
        conf.put("spark.executor.cores", "1");
        conf.put("spark.task.cpus", "1");
        conf.put("spark.cores.max", "2");
        conf.put("spark.driver.host", "127.0.0.1");
        conf.put("spark.driver.bindAddress", "127.0.0.1");
        conf.put("spark.ui.enabled", "false");
        conf.put("spark.local.dir", work.resolve("scratch").toString());
        List<String> args = List.of(
                "pretrain",
                "--run-dir",
                run.toString(),
                "--master",
                master,
                "--max-steps",
                Integer.toString(STEPS),
                "--set",
                "pacer.model.preset=tiny",
                "--set",
                "pacer.train.seq-len=64",
                "--set",
                "pacer.train.global-batch=8",
                "--set",
                "pacer.train.micro-batch=4",
                "--set",
                "pacer.train.lr=3e-3",
                "--set",
                "pacer.train.eval-every=10",
                "--set",
                "pacer.train.eval-sequences=8",
                "--set",
                "pacer.checkpoint.every=" + EVERY,
                "--set",
                "pacer.data.max-documents=3000",
                "--set",
                "pacer.spark.partitions=2",
                "--set",
                "pacer.spark.task-threads=1");
        args = new ArrayList<>(args);
        args.addAll(List.of(extra));
        Map<String, String> env = new LinkedHashMap<>(cluster.environment());
        env.put("DJL_CACHE_DIR", work.resolve("driver-djl-cache").toString());
        return PacerSubmission.launch(
                cluster.sparkHome(),
                submitJar,
                master,
                env,
                conf,
                args,
                work.resolve("driver-cwd"),
                work.resolve("logs").resolve(name + ".log"));
    }

    private static List<JsonNode> rawRows(Path run) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            rows.add(JSON.readTree(line));
        }
        return rows;
    }

    /** The newest complete metric row's step; 0 when there is none (yet). */
    private static long lastStep(Path run) {
        long last = 0;
        try {
            for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
                try {
                    last = Math.max(last, JSON.readTree(line).path("step").asLong());
                } catch (IOException partial) {
                    // a row being written
                }
            }
        } catch (IOException | UncheckedIOException missing) {
            return 0;
        }
        return last;
    }

    private static boolean resumed(Path run) {
        try {
            return Files.readString(run.resolve("events.jsonl")).contains("\"event\":\"resume\"");
        } catch (IOException e) {
            return false;
        }
    }

    private static JsonNode event(Path run, String name) throws IOException {
        return TinyRun.events(run).stream()
                .filter(e -> name.equals(e.path("event").asText()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " event in " + run));
    }

    /** Mean wall-clock time of a step after the first checkpoint (warm-up and JIT excluded). */
    private static double stepMillis(List<JsonNode> rows) {
        double from = rows.get(EVERY - 1).get("elapsed_s").asDouble();
        double to = rows.get(rows.size() - 1).get("elapsed_s").asDouble();
        return (to - from) * 1000 / (rows.size() - EVERY);
    }

    private static Path checkpoint(Path run, long step) {
        return run.resolve("checkpoints").resolve(String.format("step-%07d", step));
    }

    private static void figure(String what, String format, double value) {
        FIGURES.put(what, String.format(format, value));
        System.out.printf("%s: %s%n", what, String.format(format, value));
    }

    private static String required(String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set: run the cluster tests"
                    + " through Maven (mvn verify -pl integration-tests -am), which sets it");
        }
        return v;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(f, t);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
