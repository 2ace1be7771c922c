package dev.pacer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One writer per run directory, with real processes: {@code pacer pretrain} JVMs on one run
 * directory. A second one is refused (exit 2, one line naming the first's pid) while the first
 * runs; after the first is killed with SIGKILL its lease stays until its heartbeat is older than
 * its timeout, and a third takes it over (event naming the dead pid); SIGTERM of the third
 * releases the lease through the shutdown hook.
 */
class RunLeaseProcessTest {

    /** The holder's lease timeout: short, so that the takeover test waits seconds, not minutes. */
    private static final int TIMEOUT_SECONDS = 4;

    @TempDir
    Path tmp;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void aSecondWriterIsRefusedAKilledOnesLeaseIsTakenOverAndSigtermReleases() throws Exception {
        Path run = tmp.resolve("run");
        Path lease = run.resolve(RunLease.FILE);

        Process first = pretrain(run, "first");
        await(() -> rows(run) >= 2, first, "the first run trains");
        JsonNode held = json(lease);
        assertEquals(first.pid(), held.path("pid").asLong());

        Process second = pretrain(run, "second");
        assertTrue(second.waitFor(120, TimeUnit.SECONDS), "the second run did not end");
        String refused = output("second").strip();
        assertEquals(2, second.exitValue(), refused);
        // the test classpath's log4j configuration also shows WARN lines on the console
        List<String> lines = refused.lines().filter(l -> l.startsWith("pacer:")).toList();
        assertEquals(1, lines.size(), refused);
        assertFalse(refused.contains("Exception"), refused);
        assertTrue(lines.get(0).startsWith("pacer: run directory in use: --run-dir "), refused);
        assertTrue(lines.get(0).contains("pid " + first.pid()), refused);
        assertTrue(lines.get(0).contains("last heartbeat "), refused);
        assertTrue(first.isAlive(), "the first run kept running");

        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // kill -9: no shutdown hook runs
        assertTrue(Files.exists(lease), "a killed holder leaves its lease");
        Instant lastBeat = Instant.parse(json(lease).path("heartbeat").asText());
        await(() -> Instant.now().isAfter(lastBeat.plusSeconds(TIMEOUT_SECONDS + 1)), null, "the lease goes stale");

        int rowsBefore = rows(run);
        Process third = pretrain(run, "third");
        await(() -> rows(run) > rowsBefore + 1, third, "the third run trains");
        assertEquals(third.pid(), json(lease).path("pid").asLong());
        JsonNode takeover = events(run).stream()
                .filter(e -> "lease_taken_over".equals(e.path("event").asText()))
                .findFirst()
                .orElseThrow();
        assertEquals(first.pid(), takeover.path("previous").path("pid").asLong());
        assertEquals(third.pid(), takeover.path("holder").path("pid").asLong());
        assertTrue(output("third").contains("took over the lease of pacer pretrain"), output("third"));

        third.destroy(); // SIGTERM: the shutdown hook releases the lease
        assertTrue(third.waitFor(60, TimeUnit.SECONDS), "the third run did not stop on SIGTERM");
        assertFalse(Files.exists(lease), "SIGTERM left the lease behind");
    }

    /** A long tiny run on the synthetic model (identical on every CPU), its output in {@code name}.log. */
    private Process pretrain(Path run, String name) throws IOException {
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("-Djdk.") || a.startsWith("-Dio.netty")) {
                cmd.add(a);
            }
        }
        cmd.add("-Ddev.pacer.log.dir=" + tmp.resolve("logs"));
        cmd.add("-cp");
        cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        cmd.add("dev.pacer.cli.PacerCli");
        cmd.addAll(List.of("pretrain", "--run-dir", run.toString(), "--master", "local[2]", "--max-steps", "100000"));
        for (String s : List.of(
                "pacer.model.preset=tiny",
                "pacer.engine.compute=synthetic",
                "pacer.train.seq-len=32",
                "pacer.train.global-batch=4",
                "pacer.train.micro-batch=2",
                "pacer.train.eval-every=1000",
                "pacer.checkpoint.every=10",
                "pacer.data.max-documents=2000",
                "pacer.train.eval-sequences=8",
                "pacer.run.lease-timeout-seconds=" + TIMEOUT_SECONDS,
                "pacer.spark.conf.spark.ui.enabled=false",
                "pacer.spark.conf.spark.driver.host=127.0.0.1",
                "pacer.spark.conf.spark.driver.bindAddress=127.0.0.1")) {
            cmd.add("--set");
            cmd.add(s);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(tmp.toFile()) // no conf/ here: no profile
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private String output(String name) throws IOException {
        return Files.readString(tmp.resolve(name + ".log"), StandardCharsets.UTF_8);
    }

    /** Polls {@code condition} for up to two minutes; fails early if {@code process} ends first. */
    private static void await(BooleanSupplier condition, Process process, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!condition.getAsBoolean()) {
            if (process != null && !process.isAlive()) {
                throw new AssertionError(what + ": the process ended (exit " + process.exitValue() + ") first");
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within two minutes");
            }
            Thread.sleep(100);
        }
    }

    private static int rows(Path run) {
        try {
            return (int) Files.readAllLines(run.resolve("metrics.jsonl")).stream()
                    .filter(l -> l.endsWith("}"))
                    .count();
        } catch (IOException e) {
            return 0;
        }
    }

    private static JsonNode json(Path file) throws IOException {
        return JsonLinesLog.JSON.readTree(Files.readAllBytes(file));
    }

    private static List<JsonNode> events(Path run) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("events.jsonl"))) {
            out.add(JsonLinesLog.JSON.readTree(line));
        }
        return out;
    }
}
