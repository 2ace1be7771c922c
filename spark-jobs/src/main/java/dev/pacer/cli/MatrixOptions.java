package dev.pacer.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.pacer.config.ConfigError;
import dev.pacer.run.PacerSettings;
import dev.pacer.run.RunStorage;
import dev.pacer.sweep.MatrixReport;
import dev.pacer.sweep.SweepMatrix;
import dev.pacer.sweep.SweepMatrix.Cell;
import dev.pacer.sweep.SweepMatrix.Corpus;
import dev.pacer.sweep.SweepMatrix.Start;
import dev.pacer.sweep.SweepRun;
import dev.pacer.train.CorpusData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Option;

/**
 * {@code pacer sweep}'s matrix options: corpora × seeds × budgets, each cell with a fixed grid of
 * its own and AdaLRS from multiples of its best rate ({@link SweepMatrix}).
 */
public class MatrixOptions {

    private static final String NAME = "[A-Za-z0-9._-]+";
    private static final int DEFAULT_EXTEND = 2;

    @Option(
            names = "--corpus",
            paramLabel = "NAME=PATH",
            description = "A prepared dataset (pacer.data.path) under a short name; repeatable. Turns on the matrix.")
    List<String> corpora = new ArrayList<>();

    @Option(
            names = "--seeds",
            split = ",",
            paramLabel = "S,...",
            description = "Seeds (pacer.seed) of the matrix (default: the configured one).")
    List<Long> seeds = new ArrayList<>();

    @Option(
            names = "--budgets",
            split = ",",
            paramLabel = "STEPS,...",
            description = "Token budgets of the matrix in steps (instead of --max-steps).")
    List<Long> budgets = new ArrayList<>();

    @Option(
            names = "--starts",
            split = ",",
            paramLabel = "M,...",
            description =
                    "AdaLRS starts as multiples of each cell's best grid rate, e.g. 1/30,1/10,1/3.162,1,3.162,10.")
    List<String> starts = new ArrayList<>();

    @Option(
            names = "--extend",
            paramLabel = "N",
            description = "Grid points a cell's grid may grow beyond each end while its best is there (default"
                    + " ${DEFAULT-VALUE}).")
    int extend = DEFAULT_EXTEND;

    @Option(
            names = "--variant",
            paramLabel = "NAME",
            description = "Names the AdaLRS runs (adalrs-NAME-lr-X) and the table (matrix-NAME.md); fixed runs are"
                    + " shared.")
    String variant = "";

    @Option(
            names = "--adalrs-set",
            paramLabel = "KEY=VALUE",
            description = "A pacer.adalrs.* setting for the AdaLRS runs only; repeatable (use with --variant).")
    List<String> adalrsOverrides = new ArrayList<>();

    @Option(
            names = "--tuning",
            paramLabel = "CORPUS[/SEED[/STEPS]]",
            description = "Cells the defaults were tuned on, marked in the table; the others are held out. Repeatable.")
    List<String> tuning = new ArrayList<>();

    @Option(
            names = "--report",
            description = "Train nothing: write OUTPUT/report.md (and report.json) from every finished run under"
                    + " --output, whichever sweep wrote it: each cell's grid, every variant's gap from each start, and"
                    + " a summary per variant and budget (--tuning marks the tuning cells).")
    boolean report;

    boolean active() {
        return !corpora.isEmpty() || !seeds.isEmpty() || !budgets.isEmpty() || !starts.isEmpty();
    }

    void run(
            ConfigOptions config,
            String output,
            List<String> centers,
            int points,
            double span,
            Long maxSteps,
            boolean gridsOnly)
            throws Exception {
        if (maxSteps != null && !budgets.isEmpty()) {
            throw new ConfigError("--max-steps and --budgets: give one (--budgets 600,2400 or --max-steps 600)");
        }
        if (starts.isEmpty() != gridsOnly) {
            throw new ConfigError(
                    gridsOnly
                            ? "--runs fixed runs the grids only: give no --starts"
                            : "the matrix needs --starts, e.g. --starts 1/30,1/10,1/3.162,1,3.162,10 (or --runs fixed)");
        }
        if (!variant.isEmpty() && !variant.matches(NAME)) {
            throw new ConfigError("--variant " + variant + ": expected letters, digits, '.', '_' or '-'");
        }
        Config adalrs = overrides();
        PacerSettings base = config.settings(ConfigFactory.empty());
        List<Long> steps = maxSteps != null
                ? List.of(maxSteps)
                : budgets.isEmpty() ? List.of(base.train().maxSteps()) : budgets;
        List<Long> seedList = seeds.isEmpty() ? List.of(base.seed()) : seeds;
        List<Corpus> corpusList = corpora(base, centers);
        SweepMatrix.Plan plan = new SweepMatrix.Plan(
                output,
                corpusList,
                seedList,
                steps,
                points,
                span,
                extend,
                starts.stream().map(MatrixOptions::start).toList(),
                variant,
                new LinkedHashSet<>(tuning));
        for (String t : tuning) {
            if (corpusList.stream().noneMatch(c -> c.name().equals(t.split("/", -1)[0]))) {
                throw new ConfigError("--tuning " + t + ": no --corpus " + t.split("/", -1)[0]
                        + "; expected CORPUS, CORPUS/SEED or CORPUS/SEED/STEPS");
            }
        }
        SweepMatrix.CellSettings cellSettings = (cell, lr, on) -> config.settings(cellConfig(cell, lr, on, adalrs));
        // every corpus and the settings of each cell are checked before the first run starts
        for (Cell cell : plan.cells()) {
            PacerSettings s = cellSettings.of(cell, cell.corpus().center(), true);
            CorpusData.open(s, new Configuration());
        }
        new SweepMatrix(plan, cellSettings, SweepRun.pretrain(System.out), System.out).run();
    }

    /** {@code --report}: the report over every finished run under {@code output}; refuses options it would ignore. */
    void report(ConfigOptions config, String output, boolean otherOptions) throws IOException {
        if (active()
                || otherOptions
                || !variant.isEmpty()
                || !adalrsOverrides.isEmpty()
                || extend != DEFAULT_EXTEND
                || config.given()) {
            throw new ConfigError("--report reads the finished runs under --output and trains nothing: give it"
                    + " --output and --tuning only");
        }
        RunStorage storage = new RunStorage(output, new Configuration());
        if (!storage.exists(storage.root())) {
            throw new ConfigError("--output " + output + ": no such directory; give the --output of an earlier"
                    + " pacer sweep --corpus ...");
        }
        MatrixReport.Scan scan = MatrixReport.scan(output, new LinkedHashSet<>(tuning));
        if (scan.grids().isEmpty()) {
            throw new ConfigError("--output " + output + ": no finished sweep run found (expected"
                    + " CORPUS/seed-S/steps-N/fixed-lr-X directories, as pacer sweep --corpus writes them)");
        }
        for (String t : tuning) {
            if (!MatrixReport.corpora(scan).contains(t.split("/", -1)[0])) {
                throw new ConfigError("--tuning " + t + ": no corpus " + t.split("/", -1)[0] + " under " + output
                        + " (found " + String.join(", ", MatrixReport.corpora(scan)) + ")");
            }
        }
        MatrixReport.write(output, scan, System.out);
    }

    private static Config cellConfig(Cell cell, double lr, boolean adalrs, Config adalrsOverrides) {
        Config c = ConfigFactory.empty()
                .withValue("pacer.train.lr", ConfigValueFactory.fromAnyRef(lr))
                .withValue("pacer.train.max-steps", ConfigValueFactory.fromAnyRef(cell.steps()))
                .withValue("pacer.seed", ConfigValueFactory.fromAnyRef(cell.seed()))
                .withValue("pacer.adalrs.enabled", ConfigValueFactory.fromAnyRef(adalrs));
        if (!cell.corpus().path().isEmpty()) {
            c = c.withValue(
                    "pacer.data.path",
                    ConfigValueFactory.fromAnyRef(cell.corpus().path()));
        }
        return adalrs ? c.withFallback(adalrsOverrides) : c;
    }

    private Config overrides() {
        Config c = ConfigFactory.empty();
        for (String o : adalrsOverrides) {
            int eq = o.indexOf('=');
            String key = eq < 0 ? "" : o.substring(0, eq).trim();
            if (!key.startsWith("pacer.adalrs.")) {
                throw new ConfigError("--adalrs-set '" + o + "': expected pacer.adalrs.KEY=VALUE, e.g."
                        + " --adalrs-set pacer.adalrs.window=20");
            }
            try {
                c = c.withValue(
                        key, ConfigValueFactory.fromAnyRef(o.substring(eq + 1).trim(), "--adalrs-set " + key));
            } catch (ConfigException e) {
                throw new ConfigError("--adalrs-set '" + o + "': '" + key + "' is not a valid setting path");
            }
        }
        return c;
    }

    private List<Corpus> corpora(PacerSettings base, List<String> centers) {
        Map<String, Double> byName = new HashMap<>();
        Double global = null;
        for (String c : centers) {
            int eq = c.indexOf('=');
            if (eq < 0) {
                global = rate("--center", c);
            } else {
                byName.put(c.substring(0, eq).trim(), rate("--center " + c.substring(0, eq), c.substring(eq + 1)));
            }
        }
        double fallback = global != null ? global : base.train().lr();
        Map<String, Corpus> out = new LinkedHashMap<>();
        if (corpora.isEmpty()) {
            out.put("default", new Corpus("default", "", byName.getOrDefault("default", fallback)));
        }
        for (String c : corpora) {
            int eq = c.indexOf('=');
            String name = eq < 0 ? "" : c.substring(0, eq).trim();
            if (!name.matches(NAME) || eq == c.length() - 1) {
                throw new ConfigError("--corpus " + c + ": expected NAME=PATH, e.g. --corpus kjv=runs/data/kjv"
                        + " (NAME of letters, digits, '.', '_' or '-')");
            }
            if (out.put(name, new Corpus(name, c.substring(eq + 1).trim(), byName.getOrDefault(name, fallback)))
                    != null) {
                throw new ConfigError("--corpus " + name + " is given twice");
            }
        }
        for (String name : byName.keySet()) {
            if (!out.containsKey(name)) {
                throw new ConfigError("--center " + name + "=...: no --corpus " + name);
            }
        }
        return List.copyOf(out.values());
    }

    private static Start start(String text) {
        try {
            return Start.parse(text);
        } catch (NumberFormatException e) {
            throw new ConfigError(
                    "--starts " + text + ": expected a positive multiple of the best rate, e.g. 1/30 or 3.162");
        }
    }

    static double rate(String option, String text) {
        try {
            double v = Double.parseDouble(text.trim());
            if (v > 0 && !Double.isInfinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigError(option + " " + text + ": expected a learning rate > 0, e.g. 5e-3");
    }
}
