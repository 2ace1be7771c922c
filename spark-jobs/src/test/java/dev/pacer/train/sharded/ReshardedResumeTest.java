package dev.pacer.train.sharded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.pacer.data.ByteTokenizer;
import dev.pacer.model.ParameterLayout;
import dev.pacer.run.CheckpointStore;
import dev.pacer.run.PacerSettings;
import dev.pacer.run.RunStorage;
import dev.pacer.train.PretrainJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sharded checkpoint written by two shard owners, resumed with three: the owners of the new
 * plan read their tensors from the parts the old owners wrote (re-sharding), and the run goes on
 * exactly as the driver-held update goes on from the same checkpoint with the same three
 * partitions (the two updates compute the same bits on one partitioning: docs/sharding.md).
 */
class ReshardedResumeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static PacerSettings settings(Path run, String update, int partitions) {
        return PacerSettings.load(ConfigFactory.parseString(String.join(
                "\n",
                "pacer.run.dir = \"" + run + "\"",
                "pacer.model.preset = tiny",
                "pacer.engine.compute = synthetic",
                "pacer.spark.update = " + update,
                "pacer.spark.partitions = " + partitions,
                "pacer.spark.master = \"local[2]\"",
                "pacer.spark.conf { \"spark.ui.enabled\" = false, \"spark.driver.host\" = \"127.0.0.1\","
                        + " \"spark.driver.bindAddress\" = \"127.0.0.1\" }",
                "pacer.train.seq-len = 32",
                "pacer.train.global-batch = 6",
                "pacer.train.micro-batch = 2",
                "pacer.train.max-steps = 12",
                "pacer.train.eval-every = 6",
                "pacer.train.eval-sequences = 6",
                "pacer.checkpoint.every = 6",
                "pacer.data.max-documents = 2000")));
    }

    @Test
    void aCheckpointOfTwoOwnersResumesWithThreeAsTheDriverHeldUpdateDoes() throws IOException {
        Path sharded = tmp.resolve("sharded");
        new PretrainJob(settings(sharded, "sharded", 2), 6, List.of()).run();
        Path step6 = sharded.resolve("checkpoints/step-0000006");
        try (Stream<Path> files = Files.list(step6)) {
            List<String> parts = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("model-") && n.endsWith("-of-00002.safetensors"))
                    .toList();
            assertEquals(2, parts.size(), "two owners' parts of the model: " + parts);
        }
        Path driver = tmp.resolve("driver");
        copy(sharded, driver);

        new PretrainJob(settings(sharded, "sharded", 3), 0, List.of()).run();
        new PretrainJob(settings(driver, "driver", 3), 0, List.of()).run();

        List<ObjectNode> shardedRows = LostStateRecoveryTest.rows(sharded);
        assertEquals(12, shardedRows.get(shardedRows.size() - 1).get("step").asInt());
        assertEquals(LostStateRecoveryTest.rows(driver), shardedRows);
        float[] driverWeights = weightsAt(driver, 12);
        float[] shardedWeights = weightsAt(sharded, 12);
        assertEquals(
                new ParameterLayout(settings(driver, "driver", 3).gptConfig(ByteTokenizer.VOCAB)).totalSize(),
                driverWeights.length);
        assertArrayEquals(driverWeights, shardedWeights, "the weights of step 12, read through the checkpoint reader");
        assertArrayEquals(optimizerAt(driver, 12), optimizerAt(sharded, 12), "AdamW's moments of step 12");
    }

    private static CheckpointStore store(Path run) {
        PacerSettings s = settings(run, "driver", 3);
        return new CheckpointStore(
                new RunStorage(s.runDir(), new Configuration()), new ParameterLayout(s.gptConfig(ByteTokenizer.VOCAB)));
    }

    private static float[] weightsAt(Path run, long step) throws IOException {
        CheckpointStore store = store(run);
        return store.readPoint(store.directoryFor(step), true).weights();
    }

    /** Every optimizer-state tensor of a checkpoint, concatenated in name order. */
    private static float[] optimizerAt(Path run, long step) throws IOException {
        CheckpointStore store = store(run);
        java.util.Map<String, float[]> state = new java.util.TreeMap<>(
                store.readPoint(store.directoryFor(step), false).optimizerState());
        int n = state.values().stream().mapToInt(a -> a.length).sum();
        float[] all = new float[n];
        int at = 0;
        for (float[] a : state.values()) {
            System.arraycopy(a, 0, all, at, a.length);
            at += a.length;
        }
        assertTrue(n > 0, "no optimizer state in the checkpoint");
        return all;
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().equals("_LEASE")) {
                    Files.copy(p, target);
                }
            }
        }
    }
}
