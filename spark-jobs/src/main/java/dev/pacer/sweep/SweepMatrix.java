package dev.pacer.sweep;

import dev.pacer.run.PacerSettings;
import dev.pacer.sweep.SweepRun.Result;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * The multi-corpus LR-recovery benchmark: for every cell (corpus × seed × budget) a fixed-rate
 * grid of its own, widened while its best rate is at an edge, then AdaLRS from given multiples of
 * that cell's best rate. Every run has its own directory,
 * {@code OUTPUT/CORPUS/seed-S/steps-N/KIND-lr-X}, so the matrix resumes where it stopped and grows
 * by adding corpora, seeds, budgets, starts or variants; finished runs are read back.
 */
public final class SweepMatrix {

    /** A prepared corpus and the centre of its grid. */
    public record Corpus(String name, String path, double center) {}

    /** One grid and its AdaLRS runs. */
    public record Cell(Corpus corpus, long seed, long steps) {
        String dir(String output) {
            return output + "/" + corpus.name() + "/seed-" + seed + "/steps-" + steps;
        }

        /** Whether {@code pattern} (CORPUS, CORPUS/SEED or CORPUS/SEED/STEPS) names this cell. */
        boolean matches(String pattern) {
            String[] p = pattern.split("/", -1);
            return p[0].equals(corpus.name())
                    && (p.length < 2 || p[1].equals(Long.toString(seed)))
                    && (p.length < 3 || p[2].equals(Long.toString(steps)));
        }
    }

    /** An AdaLRS start: {@code multiple} of the cell's best grid rate, shown as {@code label}. */
    public record Start(String label, double multiple) {
        /** Parses "1/30", "0.1" or "3.162". */
        public static Start parse(String text) {
            String t = text.trim();
            int slash = t.indexOf('/');
            double m = slash < 0
                    ? Double.parseDouble(t)
                    : Double.parseDouble(t.substring(0, slash)) / Double.parseDouble(t.substring(slash + 1));
            if (!(m > 0) || Double.isInfinite(m)) {
                throw new NumberFormatException("not a positive multiple: " + text);
            }
            return new Start(t + "x", m);
        }

        /** The start at {@code multiple} of the best rate, labelled with three digits: 10x, 3.16x, 1/30x. */
        public static Start of(double multiple) {
            boolean below = multiple < 1
                    && new java.math.BigDecimal(1 / multiple)
                                    .round(new java.math.MathContext(3))
                                    .doubleValue()
                            != 1;
            String digits = new java.math.BigDecimal(below ? 1 / multiple : multiple)
                    .round(new java.math.MathContext(3))
                    .stripTrailingZeros()
                    .toPlainString();
            return new Start((below ? "1/" : "") + digits + "x", multiple);
        }
    }

    /** Settings of one run of a cell: its rate, AdaLRS on or off. */
    @FunctionalInterface
    public interface CellSettings {
        PacerSettings of(Cell cell, double lr, boolean adalrs);
    }

    /**
     * What to run.
     *
     * @param points grid points at first, log-spaced from centre/span to centre·span
     * @param extend how many points the grid may grow beyond each end while its best is there
     * @param variant names the AdaLRS runs ({@code adalrs-VARIANT-lr-X}); empty for {@code adalrs}
     * @param tuning cells (CORPUS, CORPUS/SEED or CORPUS/SEED/STEPS) the defaults were tuned on
     */
    public record Plan(
            String output,
            List<Corpus> corpora,
            List<Long> seeds,
            List<Long> budgets,
            int points,
            double span,
            int extend,
            List<Start> starts,
            String variant,
            Set<String> tuning) {
        public Plan {
            if (points < 2 || !(span > 1) || extend < 0) {
                throw new IllegalArgumentException("a grid needs >= 2 points, a span > 1 and extend >= 0");
            }
        }

        public List<Cell> cells() {
            List<Cell> out = new ArrayList<>();
            for (Corpus c : corpora) {
                for (long seed : seeds) {
                    for (long steps : budgets) {
                        out.add(new Cell(c, seed, steps));
                    }
                }
            }
            return out;
        }

        boolean isTuning(Cell cell) {
            return tuning.stream().anyMatch(cell::matches);
        }

        /** Grid point {@code i} (0 .. points-1 at first; beyond when widened). */
        double gridLr(Corpus c, int i) {
            return c.center() * Math.pow(span, 2.0 * i / (points - 1) - 1.0);
        }

        /** The grid point within 1% of a grid step of {@code lr}, or {@code lr} itself. */
        double snap(Corpus c, double lr) {
            double index = (Math.log(lr / c.center()) / Math.log(span) + 1) * (points - 1) / 2;
            long nearest = Math.round(index);
            return Math.abs(index - nearest) < 0.01 ? gridLr(c, (int) nearest) : lr;
        }

        String adalrsKind() {
            return variant.isEmpty() ? "adalrs" : "adalrs-" + variant;
        }
    }

    /** A cell's fixed grid, by grid index, and its best run. */
    record Grid(TreeMap<Integer, Result> runs, Result best) {
        Result at(double lr) {
            return runs.values().stream()
                    .filter(r -> r.startLr() == lr)
                    .findFirst()
                    .orElse(null);
        }
    }

    /** One AdaLRS run of the table with what it is judged against. */
    public record Row(Cell cell, boolean tuning, Grid grid, Start start, double startLr, Result fixed, Result adalrs) {}

    private final Plan plan;
    private final CellSettings settings;
    private final SweepRun.Runner runner;
    private final PrintStream out;

    public SweepMatrix(Plan plan, CellSettings settings, SweepRun.Runner runner, PrintStream out) {
        this.plan = plan;
        this.settings = settings;
        this.runner = runner;
        this.out = out;
    }

    /** Runs (or reads back) every cell, prints the table and saves it as matrix.md and matrix.json. */
    public List<Row> run() throws IOException {
        List<Row> rows = new ArrayList<>();
        java.util.Map<Cell, Grid> grids = new java.util.LinkedHashMap<>();
        for (Cell cell : plan.cells()) {
            Grid grid = grid(cell);
            grids.put(cell, grid);
            for (Start start : plan.starts()) {
                double lr = plan.snap(cell.corpus(), grid.best().startLr() * start.multiple());
                Result a = runner.run(
                        kindDir(cell, plan.adalrsKind(), lr), plan.adalrsKind(), lr, settings.of(cell, lr, true));
                rows.add(new Row(cell, plan.isTuning(cell), grid, start, lr, grid.at(lr), a));
            }
        }
        MatrixTable.write(plan, grids, rows, out);
        return rows;
    }

    /** The cell's fixed runs: the first points, then one more beyond an end while the best is there. */
    Grid grid(Cell cell) throws IOException {
        TreeMap<Integer, Result> runs = new TreeMap<>();
        for (int i = 0; i < plan.points(); i++) {
            runs.put(i, fixed(cell, i));
        }
        while (true) {
            int best = bestIndex(runs);
            int next = best == runs.firstKey() && best > -plan.extend()
                    ? best - 1
                    : best == runs.lastKey() && best < plan.points() - 1 + plan.extend() ? best + 1 : Integer.MIN_VALUE;
            if (next == Integer.MIN_VALUE) {
                return new Grid(runs, runs.get(best));
            }
            runs.put(next, fixed(cell, next));
        }
    }

    private Result fixed(Cell cell, int i) throws IOException {
        double lr = plan.gridLr(cell.corpus(), i);
        return runner.run(kindDir(cell, "fixed", lr), "fixed", lr, settings.of(cell, lr, false));
    }

    /** The grid index of the lowest loss; a diverged (NaN) run is never the best. */
    static int bestIndex(TreeMap<Integer, Result> runs) {
        int best = runs.firstKey();
        for (var e : runs.entrySet()) {
            // a diverged run's loss is NaN: never the best
            if (e.getValue().valLoss() < runs.get(best).valLoss()
                    || Double.isNaN(runs.get(best).valLoss())) {
                best = e.getKey();
            }
        }
        return best;
    }

    private String kindDir(Cell cell, String kind, double lr) {
        return cell.dir(plan.output()) + "/" + kind + "-lr-" + String.format(java.util.Locale.ROOT, "%.3e", lr);
    }
}
