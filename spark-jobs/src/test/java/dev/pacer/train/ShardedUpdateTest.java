package dev.pacer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sharded update (weights and optimizer state with the owners of their tensors, the driver
 * sending rates and receiving scalars) against the driver-held update, without Spark: same loop,
 * same data, {@code compute = synthetic}. Sums are taken in the same order, so every loss,
 * gradient norm, validation loss, controller decision and checkpointed weight must be the same
 * bits, for every optimizer (Prodigy's and SGD-SaI's sums over all tensors included), through
 * AdaLRS's snapshots, rollbacks and replays, Hi-DLR's probes and frozen groups, and a resume.
 */
class ShardedUpdateTest {

    @TempDir
    Path tmp;

    private static final String TEN = "pacer.train.max-steps = 10\npacer.checkpoint.every = 5\n";

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "adamw",
                "sgd",
                "lion",
                "adabelief",
                "adan",
                "lamb",
                "diffgrad",
                "adamp",
                "sgd-sai",
                "prodigy",
                "schedule-free-adamw"
            })
    void everyOptimizerStepsTheSameBitsAsTheDriver(String optimizer) throws IOException {
        String conf = TEN + "pacer.optimizer.name = " + optimizer + "\n"
                + switch (optimizer) {
                    case "prodigy" -> "pacer.train.lr = 1.0\npacer.train.min-lr-ratio = 0\n";
                    case "schedule-free-adamw" -> "pacer.train.schedule = constant\n";
                    default -> "";
                };
        assertSame(conf, 10);
    }

    /**
     * The same run with the sharded step as three jobs ({@code pacer.spark.fused-step = false}) and
     * as one; the ranks' gradient pieces handed over in memory (ranks in one JVM) and as blocks.
     */
    @ParameterizedTest(name = "fused-step = {0}")
    @ValueSource(booleans = {true, false})
    void pairedAdaLrsWithHiDlrAndFrozenGroupsMatchesTheDriver(boolean fused) throws IOException {
        assertSameBothWays(
                String.join(
                        "\n",
                        "pacer.spark.fused-step = " + fused,
                        "pacer.train.max-steps = 40",
                        "pacer.train.warmup-fraction = 0",
                        "pacer.checkpoint.every = 5",
                        "pacer.train.lr = 2e-2",
                        "pacer.adalrs.enabled = true",
                        "pacer.adalrs.window = 4",
                        "pacer.adalrs.phase-start = 0",
                        "pacer.adalrs.phase-end = 1",
                        "pacer.adalrs.max-extra-compute = 0.5",
                        "pacer.adalrs.initial-scale = 1",
                        "pacer.hidlr.enabled = true",
                        "pacer.hidlr.every = 4",
                        "pacer.hidlr.min-r2 = 0.5",
                        "pacer.hidlr.freeze.enabled = true",
                        "pacer.hidlr.freeze.measure-probes = 2",
                        "pacer.hidlr.freeze.budget = 0.5"),
                40);
    }

    /** bf16 gradient pieces summed in fp32 by the owners: the driver's bf16 sums, bit for bit. */
    @Test
    void bf16GradientPiecesStepTheSameBitsAsTheDriversBf16Transfer() throws IOException {
        assertSame(TEN + "pacer.spark.gradient-encoding = bf16\n", 10);
    }

    @Test
    void aShardedRunStoppedInATrialResumesExactlyAndWritesTheShardedLayout() throws IOException {
        String paired = "pacer.train.max-steps = 24\npacer.train.warmup-fraction = 0\npacer.checkpoint.every = 3\n"
                + "pacer.adalrs.enabled = true\npacer.adalrs.window = 4\npacer.adalrs.phase-start = 0\n"
                + "pacer.adalrs.phase-end = 1\npacer.adalrs.max-extra-compute = 0.5";
        LocalRun straight = new LocalRun(tmp.resolve("s"), paired, LocalRun.Update.SHARDED);
        straight.invoke(0);
        LocalRun stopped = new LocalRun(tmp.resolve("r"), paired, LocalRun.Update.SHARDED);
        stopped.invoke(6);
        assertEquals("trial", stopped.records.get(5).phase());
        LocalRun resumed = new LocalRun(tmp.resolve("r"), paired, LocalRun.Update.SHARDED);
        resumed.invoke(0);
        assertEquals(losses(straight.records.subList(6, straight.records.size())), losses(resumed.records));
        assertArrayEquals(straight.weightsAt(24), resumed.weightsAt(24));
        Path last = tmp.resolve("r/checkpoints/step-0000024");
        for (String f : List.of(
                "model.safetensors.index.json",
                "model-00001-of-00002.safetensors",
                "model-00002-of-00002.safetensors",
                "optimizer.safetensors.index.json")) {
            assertTrue(Files.exists(last.resolve(f)), f);
        }
    }

    /** Runs {@code conf} on both backends and compares everything they produce. */
    private void assertSame(String conf, long steps) throws IOException {
        assertSame(conf, steps, LocalRun.Update.SHARDED);
    }

    /** As {@link #assertSame(String, long)}, the sharded run's pieces in memory and as blocks. */
    private void assertSameBothWays(String conf, long steps) throws IOException {
        assertSame(conf, steps, LocalRun.Update.SHARDED);
        assertSame(conf, steps, LocalRun.Update.SHARDED_BLOCKS);
    }

    private void assertSame(String conf, long steps, LocalRun.Update kind) throws IOException {
        LocalRun driver = new LocalRun(tmp.resolve("driver-" + kind), conf, LocalRun.Update.DRIVER);
        driver.invoke(0);
        LocalRun sharded = new LocalRun(tmp.resolve("sharded-" + kind), conf, kind);
        sharded.invoke(0);
        assertEquals(driver.records.size(), sharded.records.size());
        for (int i = 0; i < driver.records.size(); i++) {
            StepRecord a = driver.records.get(i);
            StepRecord b = sharded.records.get(i);
            String at = "row " + (i + 1) + " (step " + a.step() + ")";
            assertEquals(a.step(), b.step(), at);
            assertEquals(a.loss(), b.loss(), 0.0, at + " loss");
            assertEquals(a.gradNorm(), b.gradNorm(), 0.0, at + " gradient norm");
            assertEquals(a.valLoss(), b.valLoss(), 0.0, at + " validation loss");
            assertEquals(a.lr(), b.lr(), 0.0, at + " rate");
            assertEquals(a.groupRates(), b.groupRates(), at + " group rates");
        }
        assertEquals(strip(driver.events), strip(sharded.events));
        for (long c : driver.checkpoints) {
            assertArrayEquals(driver.weightsAt(c), sharded.weightsAt(c), "weights at step " + c);
        }
        assertEquals(driver.checkpoints, sharded.checkpoints);
        assertTrue(sharded.records.get(sharded.records.size() - 1).step() >= steps - 1);
    }

    /** Events without their wall-clock fields and checkpoint paths. */
    private static List<String> strip(List<ObjectNode> events) {
        return events.stream()
                .map(e -> {
                    ObjectNode c = e.deepCopy();
                    c.remove(List.of("probe_ms", "overhead", "path"));
                    return c.toString();
                })
                .toList();
    }

    private static List<Double> losses(List<StepRecord> rows) {
        return rows.stream().map(StepRecord::loss).toList();
    }
}
