package dev.pacer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.run.FaultyFileSystem;
import dev.pacer.testing.LocalSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Storage faults through the command line and Spark (local[2]): a checkpoint whose files the
 * driver writes, one whose parts the shard owners write inside Spark tasks, and metrics.jsonl
 * failing half-way. Each ends with one {@code pacer: storage error:} line (exit 1) saying what
 * failed, why and what is safe; the rerun resumes from the newest committed checkpoint.
 */
@ExtendWith(FaultyFileSystem.Registered.class)
class StorageFaultCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static LocalSpark.Run pretrain(String runDir, String update) {
        List<String> args =
                new ArrayList<>(List.of("pretrain", "--run-dir", runDir, "--master", "local[2]", "--max-steps", "9"));
        for (String s : List.of(
                "pacer.spark.update=" + update,
                "pacer.model.preset=tiny",
                "pacer.engine.compute=synthetic",
                "pacer.train.seq-len=32",
                "pacer.train.global-batch=4",
                "pacer.train.micro-batch=2",
                "pacer.train.eval-every=3",
                "pacer.train.eval-sequences=8",
                "pacer.checkpoint.every=3",
                "pacer.checkpoint.keep=1",
                "pacer.data.max-documents=2000",
                "pacer.spark.conf.spark.ui.enabled=false",
                "pacer.spark.conf.spark.driver.host=127.0.0.1",
                "pacer.spark.conf.spark.driver.bindAddress=127.0.0.1")) {
            args.add("--set");
            args.add(s);
        }
        return LocalSpark.cli(args.toArray(String[]::new));
    }

    /** The one refusal line: exit 1, kind "storage error", every fragment in it. */
    private static String refusal(LocalSpark.Run r, String... fragments) {
        assertEquals(PacerCli.FAILURE, r.code(), r.err());
        List<String> lines =
                r.err().lines().filter(l -> !l.startsWith("pacer: warning:")).toList();
        assertEquals(1, lines.size(), r.err());
        String line = lines.get(0);
        assertTrue(line.startsWith("pacer: storage error: "), line);
        for (String f : fragments) {
            assertTrue(line.contains(f), "'" + f + "' not in: " + line);
        }
        return line;
    }

    private void failedCheckpointThenResume(String update, Runnable fault, String reason) throws IOException {
        Path local = tmp.resolve(update);
        String run = FaultyFileSystem.uri(local);
        fault.run();
        refusal(
                pretrain(run, update),
                "checkpoint step 6 could not be written to faulty:" + local + "/checkpoints/step-0000006 (" + reason,
                "the newest committed checkpoint, step 3 (faulty:" + local + "/checkpoints/step-0000003), is intact",
                "then rerun the same command",
                "(full trace in ");
        assertFalse(Files.exists(local.resolve("checkpoints/step-0000006/COMMITTED")));
        assertFalse(Files.exists(local.resolve(dev.pacer.run.RunLease.FILE)), "the lease was released");

        FaultyFileSystem.heal();
        LocalSpark.Run again = pretrain(run, update);
        assertEquals(0, again.code(), again.err());
        JsonNode resume = events(local).stream()
                .filter(e -> "resume".equals(e.path("event").asText()))
                .findFirst()
                .orElseThrow();
        assertTrue(resume.path("checkpoint").asText().endsWith("step-0000003"), resume.toString());
        List<Integer> steps = new ArrayList<>();
        for (String line : Files.readAllLines(local.resolve("metrics.jsonl"))) {
            steps.add(JSON.readTree(line).path("step").asInt());
        }
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9), steps);
    }

    @Test
    void theDriverWritingACheckpointOnAFullDisk() throws IOException {
        failedCheckpointThenResume(
                "driver",
                () -> FaultyFileSystem.failWritesAfter("/checkpoints/step-0000006", 4096, FaultyFileSystem::diskFull),
                "No space left on device");
    }

    @Test
    void theShardOwnersWritingACheckpointWhenTheDataNodesAreGone() throws IOException {
        failedCheckpointThenResume(
                "sharded",
                () -> FaultyFileSystem.failWritesAfter(
                        "/checkpoints/step-0000006", 4096, FaultyFileSystem::datanodesGone),
                "All datanodes");
    }

    @Test
    void metricsThatCannotBeAppended() {
        Path local = tmp.resolve("metrics");
        FaultyFileSystem.failWritesAfter("metrics.jsonl", 600, FaultyFileSystem::diskFull);
        refusal(
                pretrain(FaultyFileSystem.uri(local), "driver"),
                "cannot append to faulty:" + local + "/metrics.jsonl (No space left on device)",
                "committed checkpoints are untouched");
    }

    private static List<JsonNode> events(Path run) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("events.jsonl"))) {
            out.add(JSON.readTree(line));
        }
        return out;
    }
}
