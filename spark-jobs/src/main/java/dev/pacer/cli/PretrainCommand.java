package dev.pacer.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.pacer.api.PretrainResult;
import dev.pacer.api.Pretraining;
import dev.pacer.run.PacerSettings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pacer pretrain}: train (or resume) a GPT on the configured corpus. */
@Command(
        name = "pretrain",
        mixinStandardHelpOptions = true,
        description = "Pretrain a GPT on Spark; rerunning with the same run directory resumes.")
public final class PretrainCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Option(names = "--run-dir", paramLabel = "DIR", description = "Run directory (pacer.run.dir).")
    String runDir;

    @Option(names = "--max-steps", paramLabel = "N", description = "Planned steps (pacer.train.max-steps).")
    Long maxSteps;

    @Option(
            names = "--stop-after",
            paramLabel = "N",
            description = "Stop after computing N steps in this invocation (steps AdaLRS replays count too;"
                    + " checkpointed); rerun to continue.")
    long stopAfter;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (pacer.spark.master).")
    String master;

    @Override
    public Integer call() throws Exception {
        Config extra = ConfigFactory.empty();
        if (runDir != null) {
            extra = extra.withValue("pacer.run.dir", ConfigValueFactory.fromAnyRef(runDir, "--run-dir"));
        }
        if (maxSteps != null) {
            extra = extra.withValue("pacer.train.max-steps", ConfigValueFactory.fromAnyRef(maxSteps, "--max-steps"));
        }
        if (master != null) {
            extra = extra.withValue("pacer.spark.master", ConfigValueFactory.fromAnyRef(master, "--master"));
        }
        if (stopAfter < 0) {
            throw new dev.pacer.config.ConfigError("--stop-after " + stopAfter + ": expected a step count >= 0");
        }
        PacerSettings settings = config.settings(extra);
        PretrainResult out = Pretraining.with(settings)
                .stopAfter(stopAfter)
                .reportWarnings(m -> System.err.println("pacer: warning: " + m))
                .run();
        if (out.report() != null) {
            System.out.println("pacer: report written to " + out.report());
        }
        if (out.alreadyComplete()) {
            System.out.printf(
                    "pacer: run already complete at step %d; last %s; outputs in %s%n",
                    out.step(),
                    validationPhrase(
                            out.finalValidationLoss(),
                            out.finalBitsPerByte(),
                            settings.train().evalEvery()),
                    out.runDir());
            return 0;
        }
        System.out.printf(
                "pacer: %s at step %d/%d, %,d tokens; %s (order-0 entropy of the corpus: %.4f bits/%s);"
                        + " outputs in %s%n",
                out.finished() ? "finished" : "stopped",
                out.step(),
                out.maxSteps(),
                out.tokens(),
                validationPhrase(
                        out.finalValidationLoss(),
                        out.finalBitsPerByte(),
                        settings.train().evalEvery()),
                out.order0EntropyBits(),
                out.unit(),
                out.runDir());
        return 0;
    }

    /**
     * "validation loss L nats/token = B bits/unit", or, for a run stopped before its first
     * validation, when the next one comes (a NaN is not a loss to print).
     */
    static String validationPhrase(double nats, double bitsPerByte, long evalEvery) {
        if (Double.isNaN(nats)) {
            return "no validation loss yet (validation runs every " + evalEvery
                    + " steps, pacer.train.eval-every, and after the last step)";
        }
        boolean perByte = !Double.isNaN(bitsPerByte);
        return String.format(
                java.util.Locale.ROOT,
                "validation loss %.4f nats/token = %.4f bits/%s",
                nats,
                perByte ? bitsPerByte : nats / Math.log(2),
                perByte ? "byte" : "token");
    }
}
