package dev.pacer.cli;

import com.typesafe.config.ConfigFactory;
import dev.pacer.bench.ThroughputBenchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pacer bench}: throughput of the plain loop against the pipeline in local mode. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Tokens/s of a plain single-JVM loop vs the Spark pipeline in local mode.")
public final class BenchCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Option(names = "--steps", paramLabel = "N", description = "Measured steps (default ${DEFAULT-VALUE}).")
    int steps = 20;

    @Option(names = "--warmup", paramLabel = "N", description = "Unmeasured first steps (default ${DEFAULT-VALUE}).")
    int warmup = 3;

    @Option(
            names = "--frozen",
            paramLabel = "GROUPS",
            split = ",",
            description = "Instead: forward+backward with these Hi-DLR groups frozen (e.g. mlp) against every tensor"
                    + " trainable, alternating in one JVM.")
    java.util.List<String> frozen = new java.util.ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (steps <= 0 || warmup < 0) {
            throw new dev.pacer.config.ConfigError("--steps must be > 0 and --warmup >= 0");
        }
        if (!frozen.isEmpty()) {
            new dev.pacer.bench.FrozenGradientBenchmark(
                            config.settings(ConfigFactory.empty()), frozen, steps, warmup, System.out)
                    .run();
            return 0;
        }
        new ThroughputBenchmark(config.settings(ConfigFactory.empty()), steps, warmup, System.out).run();
        return 0;
    }
}
