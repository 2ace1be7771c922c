package dev.pacer.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.pacer.config.ConfigError;
import dev.pacer.run.PacerSettings;
import dev.pacer.sweep.LrSweep;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pacer sweep}: fixed-LR grid and AdaLRS from each grid point, at one token budget. */
@Command(
        name = "sweep",
        mixinStandardHelpOptions = true,
        description = "Learning-rate recovery benchmark: a fixed-LR grid, then AdaLRS from each grid LR.")
public final class SweepCommand implements Callable<Integer> {

    private static final int DEFAULT_POINTS = 7;
    private static final double DEFAULT_SPAN = 30;

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Option(names = "--output", paramLabel = "DIR", description = "Sweep directory (default ${DEFAULT-VALUE}).")
    String output = "runs/sweep";

    @Option(
            names = "--center",
            paramLabel = "LR|CORPUS=LR",
            description = "Central learning rate of the grid (default: pacer.train.lr); with --corpus, NAME=LR sets"
                    + " one corpus's centre; repeatable.")
    java.util.List<String> centers = new java.util.ArrayList<>();

    @Option(names = "--points", paramLabel = "N", description = "Grid points, log-spaced (default ${DEFAULT-VALUE}).")
    int points = DEFAULT_POINTS;

    @Option(
            names = "--span",
            paramLabel = "X",
            description = "Grid from center/X to center*X (default ${DEFAULT-VALUE}).")
    double span = DEFAULT_SPAN;

    @Option(names = "--max-steps", paramLabel = "N", description = "Steps per run: the token budget.")
    Long maxSteps;

    @Option(names = "--runs", paramLabel = "WHICH", description = "fixed, adalrs or both (default ${DEFAULT-VALUE}).")
    String runs = "both";

    @Option(
            names = "--peer",
            paramLabel = "FILE",
            description =
                    "Also run this config preset at the same budget, e.g. conf/optimizers/prodigy.conf; repeatable.")
    java.util.List<java.io.File> peerFiles = new java.util.ArrayList<>();

    @Mixin
    MatrixOptions matrix = new MatrixOptions();

    @Override
    public Integer call() throws Exception {
        if (matrix.report) {
            matrix.report(
                    config,
                    output,
                    !centers.isEmpty()
                            || maxSteps != null
                            || !runs.equals("both")
                            || !peerFiles.isEmpty()
                            || points != DEFAULT_POINTS
                            || span != DEFAULT_SPAN);
            return 0;
        }
        if (matrix.active()) {
            if (!peerFiles.isEmpty() || runs.equals("adalrs")) {
                throw new ConfigError("--peer and --runs adalrs go with the single-grid sweep, not with --corpus,"
                        + " --seeds, --budgets or --starts (the matrix takes --runs both or fixed)");
            }
            matrix.run(config, output, centers, points, span, maxSteps, runs.equals("fixed"));
            return 0;
        }
        if (!runs.equals("fixed") && !runs.equals("adalrs") && !runs.equals("both")) {
            throw new ConfigError("--runs " + runs + ": expected fixed, adalrs or both");
        }
        if (points < 2 || !(span > 1)) {
            throw new ConfigError("--points must be >= 2 and --span > 1");
        }
        Config steps = maxSteps == null
                ? ConfigFactory.empty()
                : ConfigFactory.empty().withValue("pacer.train.max-steps", ConfigValueFactory.fromAnyRef(maxSteps));
        PacerSettings base = config.settings(steps);
        if (centers.size() > 1 || (centers.size() == 1 && centers.get(0).contains("="))) {
            throw new ConfigError("--center " + String.join(" ", centers)
                    + ": a sweep without --corpus takes one centre, a learning rate");
        }
        double c = centers.isEmpty() ? base.train().lr() : MatrixOptions.rate("--center", centers.get(0));
        java.util.Map<String, PacerSettings> peers = new java.util.LinkedHashMap<>();
        for (java.io.File f : peerFiles) {
            if (!f.isFile()) {
                throw new ConfigError("--peer " + f + ": no such file");
            }
            Config peer = ConfigFactory.parseFile(f);
            peers.put(f.getName().replaceFirst("\\.conf$", ""), config.settings(steps.withFallback(peer)));
        }
        LrSweep sweep = new LrSweep(
                output,
                c,
                points,
                span,
                !runs.equals("adalrs"),
                !runs.equals("fixed"),
                (lr, adalrs) -> config.settings(steps.withValue("pacer.train.lr", ConfigValueFactory.fromAnyRef(lr))
                        .withValue("pacer.adalrs.enabled", ConfigValueFactory.fromAnyRef(adalrs))),
                peers,
                System.out);
        // every run is validated before the first one starts
        for (double lr : LrSweep.grid(c, points, span)) {
            config.settings(steps.withValue("pacer.train.lr", ConfigValueFactory.fromAnyRef(lr)));
        }
        sweep.run();
        return 0;
    }
}
