package dev.pacer.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.run.RunStorage;
import dev.pacer.sweep.SweepMatrix.Plan;
import dev.pacer.sweep.SweepMatrix.Row;
import dev.pacer.sweep.SweepRun.Result;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;

/**
 * The matrix's one table (a row per corpus × seed × budget × start), a summary per budget and
 * set (tuning, held out) against the goal of issue 22, and the same rows as JSON.
 */
final class MatrixTable {

    /** Within this fraction of the best grid loss. */
    static final double GAP = 0.01;
    /** From the best rate: at most this fraction worse than the fixed run at that rate. */
    static final double FROM_BEST = 0.005;
    /** Tokens at most this many times one run's. */
    static final double COMPUTE = 1.15;

    private static final ObjectMapper JSON = new ObjectMapper();

    private MatrixTable() {}

    static void write(Plan plan, Map<SweepMatrix.Cell, SweepMatrix.Grid> grids, List<Row> rows, PrintStream out)
            throws IOException {
        String md = (rows.isEmpty() ? "" : markdown(rows) + "\n") + grids(grids);
        out.println();
        out.print(md);
        RunStorage storage = new RunStorage(plan.output(), new Configuration());
        String stem = plan.variant().isEmpty() ? "matrix" : "matrix-" + plan.variant();
        storage.writeText(storage.resolve(stem + ".md"), md);
        storage.writeAll(
                storage.resolve(stem + ".json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json(rows)));
        out.println("\nsaved " + storage.resolve(stem + ".md") + " and " + stem + ".json (this sweep's cells; every"
                + " cell and variant under " + plan.output() + ": pacer sweep --output " + plan.output()
                + " --report)");
    }

    static String markdown(List<Row> rows) {
        StringBuilder t = new StringBuilder();
        t.append("| corpus | set | seed | steps | best grid lr | best val loss | start | start lr | fixed val loss"
                + " | AdaLRS val loss | gap to best grid | vs fixed at start | final lr / best | compute | decisions"
                + " | goal |\n");
        t.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        for (Row r : rows) {
            Result best = r.grid().best();
            Result a = r.adalrs();
            t.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %d | %d | %.3e | %.4f | %s | %.3e | %s | %.4f | %s | %s | %.2f | %.2fx | %s | %s |%n",
                    r.cell().corpus().name(),
                    r.tuning() ? "tuning" : "held out",
                    r.cell().seed(),
                    r.cell().steps(),
                    best.startLr(),
                    best.valLoss(),
                    r.start().label(),
                    r.startLr(),
                    r.fixed() == null
                            ? "-"
                            : String.format(Locale.ROOT, "%.4f", r.fixed().valLoss()),
                    a.valLoss(),
                    percent(gap(r)),
                    r.fixed() == null ? "-" : percent(a.valLoss() / r.fixed().valLoss() - 1),
                    a.finalLr() / best.startLr(),
                    compute(r),
                    a.decisions().isEmpty() ? "-" : a.decisions(),
                    verdict(r)));
        }
        t.append('\n').append(summary(rows));
        return t.toString();
    }

    /** Each cell's fixed grid: its rates and validation losses, the best in bold. */
    static String grids(Map<SweepMatrix.Cell, SweepMatrix.Grid> grids) {
        StringBuilder t = new StringBuilder("| corpus | seed | steps | fixed grid: lr val loss (best in bold) |\n");
        t.append("|---|---:|---:|---|\n");
        for (var e : grids.entrySet()) {
            t.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %d | %s |%n",
                    e.getKey().corpus().name(),
                    e.getKey().seed(),
                    e.getKey().steps(),
                    gridPoints(e.getValue())));
        }
        return t.toString();
    }

    /** A grid's rates and validation losses, "lr loss" each, the best in bold. */
    static String gridPoints(SweepMatrix.Grid grid) {
        List<String> points = new java.util.ArrayList<>();
        for (Result f : grid.runs().values()) {
            String p = String.format(Locale.ROOT, "%.3e %.4f", f.startLr(), f.valLoss());
            points.add(f == grid.best() ? "**" + p + "**" : p);
        }
        return String.join(", ", points);
    }

    static double gap(Row r) {
        return r.adalrs().valLoss() / r.grid().best().valLoss() - 1;
    }

    static double compute(Row r) {
        return (double) r.adalrs().tokens() / r.grid().best().tokens();
    }

    /** "met", or what missed: the gap, the loss against the fixed run at the best rate, the tokens. */
    static String verdict(Row r) {
        StringBuilder missed = new StringBuilder();
        if (!(gap(r) <= GAP)) {
            missed.append("gap > 1%");
        }
        if (r.startLr() == r.grid().best().startLr()
                && !(r.adalrs().valLoss() <= r.fixed().valLoss() * (1 + FROM_BEST))) {
            missed.append(missed.isEmpty() ? "" : ", ").append("> +0.5% vs fixed at best");
        }
        if (compute(r) > COMPUTE + 1e-9) {
            missed.append(missed.isEmpty() ? "" : ", ").append("compute > 1.15x");
        }
        return missed.isEmpty() ? "met" : "**missed**: " + missed;
    }

    /** Per budget and set: runs meeting the goal, worst and mean gap. */
    static String summary(List<Row> rows) {
        Map<String, double[]> groups = new TreeMap<>();
        for (Row r : rows) {
            String key = String.format(Locale.ROOT, "%08d %s", r.cell().steps(), r.tuning() ? "tuning" : "held out");
            double[] g = groups.computeIfAbsent(key, k -> new double[] {0, 0, Double.NEGATIVE_INFINITY, 0});
            g[0]++;
            g[1] += verdict(r).equals("met") ? 1 : 0;
            g[2] = Math.max(g[2], gap(r));
            g[3] += gap(r);
        }
        StringBuilder t = new StringBuilder("| steps | set | runs | goal met | worst gap | mean gap |\n");
        t.append("|---:|---|---:|---:|---:|---:|\n");
        for (var e : groups.entrySet()) {
            double[] g = e.getValue();
            t.append(String.format(
                    Locale.ROOT,
                    "| %d | %s | %d | %d | %s | %s |%n",
                    Long.parseLong(e.getKey().substring(0, 8)),
                    e.getKey().substring(9),
                    (long) g[0],
                    (long) g[1],
                    percent(g[2]),
                    percent(g[3] / g[0])));
        }
        return t.toString();
    }

    private static String percent(double fraction) {
        return percent(fraction, 2);
    }

    /** A signed percentage with {@code digits} decimals, or "-" when not finite. */
    static String percent(double fraction, int digits) {
        return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%+." + digits + "f%%", 100 * fraction) : "-";
    }

    static ArrayNode json(List<Row> rows) {
        ArrayNode a = JSON.createArrayNode();
        for (Row r : rows) {
            ObjectNode o = a.addObject()
                    .put("corpus", r.cell().corpus().name())
                    .put("set", r.tuning() ? "tuning" : "held out")
                    .put("seed", r.cell().seed())
                    .put("steps", r.cell().steps())
                    .put("best_grid_lr", r.grid().best().startLr())
                    .put("best_val_loss", r.grid().best().valLoss())
                    .put("start", r.start().label())
                    .put("start_lr", r.startLr())
                    .put("adalrs_val_loss", r.adalrs().valLoss())
                    .put("adalrs_final_lr", r.adalrs().finalLr())
                    .put("adalrs_tokens", r.adalrs().tokens())
                    .put("adalrs_wall_s", r.adalrs().wallSeconds())
                    .put("decisions", r.adalrs().decisions())
                    .put("gap_to_best", gap(r))
                    .put("goal", verdict(r));
            if (r.fixed() != null) {
                o.put("fixed_val_loss", r.fixed().valLoss());
            }
            ObjectNode grid = o.putObject("grid");
            r.grid()
                    .runs()
                    .values()
                    .forEach(f -> grid.put(String.format(Locale.ROOT, "%.3e", f.startLr()), f.valLoss()));
        }
        return a;
    }
}
