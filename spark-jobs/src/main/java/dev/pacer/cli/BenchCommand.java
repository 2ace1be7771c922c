package dev.pacer.cli;

import com.typesafe.config.ConfigFactory;
import dev.pacer.bench.ThroughputBenchmark;
import dev.pacer.config.ConfigError;
import dev.pacer.engine.Precision;
import dev.pacer.model.ModelPreset;
import dev.pacer.run.PacerSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pacer bench}: throughput of the plain loop against the pipeline in local mode, per model
 * shape and precision (docs/precision.md).
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Tokens/s of a plain single-JVM loop vs the Spark pipeline in local mode, per model shape and"
                + " precision (alternating in one run).")
public final class BenchCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Option(names = "--steps", paramLabel = "N", description = "Measured steps (default ${DEFAULT-VALUE}).")
    int steps = 20;

    @Option(names = "--warmup", paramLabel = "N", description = "Unmeasured first steps (default ${DEFAULT-VALUE}).")
    int warmup = 3;

    @Option(
            names = "--precisions",
            paramLabel = "LIST",
            split = ",",
            description = "Precisions to compare, alternating in one run (default ${DEFAULT-VALUE}).")
    List<String> precisions = new ArrayList<>(List.of("fp32", "bf16"));

    @Option(
            names = "--presets",
            paramLabel = "LIST",
            split = ",",
            description = "Model shapes: tiny, small, gpt2-124m (default: pacer.model.preset).")
    List<String> presets = new ArrayList<>();

    @Option(
            names = "--rounds",
            paramLabel = "N",
            description = "Pipeline rounds of --steps steps per precision; with --updates, rounds of the plain"
                    + " loop and then every pipeline (default ${DEFAULT-VALUE}).")
    int rounds = 2;

    @Option(
            names = "--matmul",
            description = "Also measure libtorch's matrix-multiply peak at each preset's own shapes, and report"
                    + " model FLOP/s as a share of it.")
    boolean matmul;

    @Option(
            names = "--updates",
            description = "Instead: the plain loop against the pipeline with the driver-held and with the sharded"
                    + " update (pacer.spark.update), with the bytes to and from the driver per step and the executors'"
                    + " peak resident set.")
    boolean updates;

    @Option(
            names = "--transfers",
            paramLabel = "ENCODINGS",
            split = ",",
            description = "With --updates: measure the sharded update once per encoding of its gradient pieces and,"
                    + " with bf16 compute, weights (e.g. fp32,bf16).")
    List<String> transfers = new ArrayList<>();

    @Option(
            names = "--separate-jobs",
            description = "With --updates: also measure the sharded update as three Spark jobs a step"
                    + " (pacer.spark.fused-step = false) next to one job a step.")
    boolean separateJobs;

    @Option(
            names = "--frozen",
            paramLabel = "GROUPS",
            split = ",",
            description = "Instead: forward+backward with these Hi-DLR groups frozen (e.g. mlp) against every tensor"
                    + " trainable, alternating in one JVM.")
    List<String> frozen = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (steps <= 0 || warmup < 0 || rounds <= 0) {
            throw new ConfigError("--steps and --rounds must be > 0 and --warmup >= 0");
        }
        if (!frozen.isEmpty()) {
            new dev.pacer.bench.FrozenGradientBenchmark(
                            config.settings(ConfigFactory.empty()), frozen, steps, warmup, System.out)
                    .run();
            return 0;
        }
        PacerSettings settings = config.settings(ConfigFactory.empty());
        if ((!transfers.isEmpty() || separateJobs) && !updates) {
            throw new ConfigError("--transfers and --separate-jobs compare ways of the sharded update: add --updates");
        }
        if (updates) {
            List<Precision> encodings = new ArrayList<>();
            for (String t :
                    transfers.isEmpty() ? List.of(settings.gradientEncoding().id()) : transfers) {
                encodings.add(Precision.parse("--transfers", t.trim()));
            }
            new dev.pacer.bench.UpdateBenchmark(settings, steps, warmup, rounds, encodings, separateJobs, System.out)
                    .run();
            return 0;
        }
        List<Precision> compared = new ArrayList<>();
        for (String p : precisions) {
            compared.add(Precision.parse("--precisions", p.trim()));
        }
        List<ModelPreset> shapes = new ArrayList<>();
        for (String p : presets.isEmpty() ? List.of(settings.model().preset().id()) : presets) {
            try {
                shapes.add(ModelPreset.fromId(p));
            } catch (IllegalArgumentException e) {
                throw new ConfigError("--presets: " + e.getMessage());
            }
        }
        new ThroughputBenchmark(
                        settings,
                        new ThroughputBenchmark.Plan(
                                List.copyOf(shapes), List.copyOf(compared), warmup, steps, rounds, matmul),
                        System.out)
                .run();
        return 0;
    }
}
