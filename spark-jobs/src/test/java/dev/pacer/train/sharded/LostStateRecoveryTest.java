package dev.pacer.train.sharded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.pacer.run.MetricsListener;
import dev.pacer.run.PacerSettings;
import dev.pacer.train.PretrainJob;
import dev.pacer.train.StepRecord;
import dev.pacer.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sharded update's answer to a lost executor, on local[2] Spark: the executors' state of the
 * run vanishes after step 12 (as when an executor JVM dies), the next job's tasks fail with Spark's
 * job-failure exception, and the run restarts from its newest checkpoint (step 10) to the same
 * rows as a run that lost nothing, with a {@code state_lost} event.
 */
class LostStateRecoveryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static PacerSettings settings(Path run) {
        return PacerSettings.load(ConfigFactory.parseString(String.join(
                "\n",
                "pacer.run.dir = \"" + run + "\"",
                "pacer.model.preset = tiny",
                "pacer.engine.compute = synthetic",
                "pacer.spark.update = sharded",
                "pacer.spark.master = \"local[2]\"",
                "pacer.spark.conf { \"spark.ui.enabled\" = false, \"spark.driver.host\" = \"127.0.0.1\","
                        + " \"spark.driver.bindAddress\" = \"127.0.0.1\" }",
                "pacer.train.seq-len = 32",
                "pacer.train.global-batch = 4",
                "pacer.train.micro-batch = 2",
                "pacer.train.max-steps = 20",
                "pacer.train.eval-every = 5",
                "pacer.train.eval-sequences = 8",
                "pacer.checkpoint.every = 5",
                "pacer.data.max-documents = 2000")));
    }

    @Test
    void aRunWhoseExecutorStateVanishesRestartsFromItsNewestCheckpointToTheSameRows() throws IOException {
        Path undisturbed = tmp.resolve("undisturbed");
        new PretrainJob(settings(undisturbed), 0, List.of()).run();

        Path lost = tmp.resolve("lost");
        boolean[] done = {false};
        TrainingListener loseAfter12 = new TrainingListener() {
            @Override
            public void onStep(StepRecord r) {
                if (r.step() == 12 && !done[0]) {
                    done[0] = true;
                    ExecutorState.forgetAll();
                }
            }
        };
        new PretrainJob(settings(lost), 0, List.of(loseAfter12)).run();

        assertTrue(done[0]);
        assertEquals(rows(undisturbed), rows(lost));
        JsonNode event = events(lost).stream()
                .filter(e -> "state_lost".equals(e.path("event").asText()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no state_lost event"));
        assertTrue(event.get("restart_from").asText().endsWith("step-0000010"), event.toString());
    }

    /** A run's metric rows without their wall-clock fields. */
    static List<ObjectNode> rows(Path run) throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            ObjectNode row = (ObjectNode) JSON.readTree(line);
            row.remove(MetricsListener.TIMING_FIELDS);
            out.add(row);
        }
        return out;
    }

    private static List<JsonNode> events(Path run) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("events.jsonl"))) {
            out.add(JSON.readTree(line));
        }
        return out;
    }
}
