package dev.pacer.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.run.RunStorage;
import dev.pacer.sweep.SweepMatrix.Cell;
import dev.pacer.sweep.SweepMatrix.Corpus;
import dev.pacer.sweep.SweepMatrix.Grid;
import dev.pacer.sweep.SweepMatrix.Row;
import dev.pacer.sweep.SweepMatrix.Start;
import dev.pacer.sweep.SweepRun.Result;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One report over every finished run under a sweep's output, whichever invocation wrote it: per
 * cell (corpus × seed × budget) its fixed grid and, per AdaLRS variant, the gap to the best grid
 * rate from each start with the rate the run ended at; then, per variant and budget, how many
 * runs are within 1% and how many meet the whole goal, as tuning / held out. Nothing is trained:
 * the runs are read from their {@code events.jsonl} and {@code metrics.jsonl}. Runs that have not
 * finished, and AdaLRS runs of a cell without a finished fixed run, are counted and listed.
 */
public final class MatrixReport {

    /** A sweep run's directory name: its kind (fixed, adalrs or adalrs-VARIANT) and its start rate. */
    private static final Pattern RUN = Pattern.compile("(fixed|adalrs|adalrs-(.+))-lr-([0-9.]+e[-+]?[0-9]+)");

    private static final Pattern SEED = Pattern.compile("seed-([0-9]+)");
    private static final Pattern STEPS = Pattern.compile("steps-([0-9]+)");

    /** The variant of AdaLRS runs written without {@code --variant}. */
    static final String DEFAULT_VARIANT = "adalrs";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Cells by budget, then corpus, then seed. */
    private static final Comparator<Cell> CELLS = Comparator.comparingLong(Cell::steps)
            .thenComparing(c -> c.corpus().name())
            .thenComparingLong(Cell::seed);

    /**
     * What the output holds.
     *
     * @param grids each cell's finished fixed runs, cells by budget, corpus and seed
     * @param rows per variant (by name), its judged runs in the cells' order
     * @param skipped one line per run or cell left out of the tables, and why
     */
    public record Scan(Map<Cell, Grid> grids, Map<String, List<Row>> rows, List<String> skipped) {}

    /** An AdaLRS run directory found, judged once its cell's grid is known. */
    private record Found(String dir, String variant, double lr) {}

    private MatrixReport() {}

    /** Reads every {@code CORPUS/seed-S/steps-N/KIND-lr-X} run directory under {@code output}. */
    public static Scan scan(String output, Set<String> tuning) throws IOException {
        RunStorage storage = new RunStorage(output, new Configuration());
        FileSystem fs = storage.fs();
        Map<Cell, Grid> grids = new TreeMap<>(CELLS);
        Map<Cell, List<Found>> adalrsRuns = new TreeMap<>(CELLS);
        List<String> skipped = new ArrayList<>();
        for (FileStatus corpus : directories(fs, storage.root())) {
            for (FileStatus seed : directories(fs, corpus.getPath())) {
                Matcher s = SEED.matcher(seed.getPath().getName());
                if (!s.matches()) {
                    continue;
                }
                for (FileStatus steps : directories(fs, seed.getPath())) {
                    Matcher n = STEPS.matcher(steps.getPath().getName());
                    if (!n.matches()) {
                        continue;
                    }
                    Cell cell = new Cell(
                            new Corpus(corpus.getPath().getName(), "", 0),
                            Long.parseLong(s.group(1)),
                            Long.parseLong(n.group(1)));
                    TreeMap<Double, Result> fixed = new TreeMap<>();
                    for (FileStatus run : directories(fs, steps.getPath())) {
                        Matcher m = RUN.matcher(run.getPath().getName());
                        if (!m.matches()) {
                            continue;
                        }
                        double lr = Double.parseDouble(m.group(3));
                        String dir = run.getPath().toString();
                        if (m.group(1).equals("fixed")) {
                            Optional<Result> r = SweepRun.read(dir, "fixed", lr);
                            if (r.isPresent()) {
                                fixed.put(lr, r.get());
                            } else {
                                skipped.add(dir + ": not finished");
                            }
                        } else {
                            String variant = m.group(2) == null ? DEFAULT_VARIANT : m.group(2);
                            adalrsRuns
                                    .computeIfAbsent(cell, k -> new ArrayList<>())
                                    .add(new Found(dir, variant, lr));
                        }
                    }
                    if (!fixed.isEmpty()) {
                        grids.put(cell, grid(fixed));
                    }
                }
            }
        }
        Map<String, List<Row>> rows = new TreeMap<>();
        for (var e : adalrsRuns.entrySet()) {
            Cell cell = e.getKey();
            Grid grid = grids.get(cell);
            for (Found run : e.getValue()) {
                if (grid == null) {
                    skipped.add(run.dir() + ": its cell has no finished fixed run to judge it against");
                    continue;
                }
                Optional<Result> a = SweepRun.read(run.dir(), "adalrs", run.lr());
                if (a.isEmpty()) {
                    skipped.add(run.dir() + ": not finished");
                    continue;
                }
                Start start = Start.of(run.lr() / grid.best().startLr());
                rows.computeIfAbsent(run.variant(), k -> new ArrayList<>())
                        .add(new Row(
                                cell,
                                tuning.stream().anyMatch(cell::matches),
                                grid,
                                start,
                                run.lr(),
                                grid.at(run.lr()),
                                a.get()));
            }
        }
        for (List<Row> r : rows.values()) {
            r.sort(Comparator.comparing(Row::cell, CELLS)
                    .thenComparingDouble(x -> x.start().multiple()));
        }
        return new Scan(grids, rows, skipped);
    }

    /** The corpora the scan found, for checking {@code --tuning}. */
    public static Set<String> corpora(Scan scan) {
        Set<String> names = new TreeSet<>();
        scan.grids().keySet().forEach(c -> names.add(c.corpus().name()));
        return names;
    }

    /** Prints the report of {@code scan} and saves it as report.md and report.json under {@code output}. */
    public static void write(String output, Scan scan, PrintStream out) throws IOException {
        String md = markdown(scan);
        out.print(md);
        RunStorage storage = new RunStorage(output, new Configuration());
        storage.writeText(storage.resolve("report.md"), md);
        ObjectNode json = JSON.createObjectNode();
        scan.rows().forEach((variant, rows) -> json.set(variant, MatrixTable.json(rows)));
        storage.writeAll(
                storage.resolve("report.json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
        out.println("\nsaved " + storage.resolve("report.md") + " and report.json");
    }

    static String markdown(Scan scan) {
        StringBuilder t = new StringBuilder();
        for (var e : scan.grids().entrySet()) {
            Cell cell = e.getKey();
            List<Row> cellRows = new ArrayList<>();
            scan.rows()
                    .values()
                    .forEach(
                            rs -> rs.stream().filter(r -> r.cell().equals(cell)).forEach(cellRows::add));
            boolean tuning = cellRows.stream().anyMatch(Row::tuning);
            t.append(String.format(
                    Locale.ROOT,
                    "**%s, seed %d, %d steps%s.** Fixed grid (lr val loss, best in bold): %s.%n%n",
                    cell.corpus().name(),
                    cell.seed(),
                    cell.steps(),
                    cellRows.isEmpty() ? "" : tuning ? " (tuning)" : " (held out)",
                    MatrixTable.gridPoints(e.getValue())));
            if (cellRows.isEmpty()) {
                continue;
            }
            // one column per label: runs of earlier sweeps may start a rounding away (5.001e-04 for 5.000e-04)
            TreeMap<Double, String> starts = new TreeMap<>();
            cellRows.forEach(r -> {
                if (!starts.containsValue(r.start().label())) {
                    starts.put(r.start().multiple(), r.start().label());
                }
            });
            t.append("| variant | ").append(String.join(" | ", starts.values())).append(" | mean gap | goal met |\n");
            t.append("|---|").append("---:|".repeat(starts.size() + 1)).append("---:|\n");
            for (var v : scan.rows().entrySet()) {
                List<Row> rs =
                        v.getValue().stream().filter(r -> r.cell().equals(cell)).toList();
                if (rs.isEmpty()) {
                    continue;
                }
                t.append("| ").append(v.getKey()).append(" |");
                for (String label : starts.values()) {
                    t.append(' ')
                            .append(rs.stream()
                                    .filter(r -> r.start().label().equals(label))
                                    .map(r -> String.format(
                                            Locale.ROOT,
                                            "%s (%.2f)",
                                            MatrixTable.percent(MatrixTable.gap(r), 1),
                                            r.adalrs().finalLr()
                                                    / r.grid().best().startLr()))
                                    .reduce((a, b) -> a + ", " + b)
                                    .orElse("-"))
                            .append(" |");
                }
                t.append(String.format(
                        Locale.ROOT,
                        " %s (%d) | %d / %d |%n",
                        MatrixTable.percent(
                                rs.stream()
                                        .mapToDouble(MatrixTable::gap)
                                        .average()
                                        .orElse(Double.NaN),
                                2),
                        rs.size(),
                        rs.stream()
                                .filter(r -> MatrixTable.verdict(r).equals("met"))
                                .count(),
                        rs.size()));
            }
            t.append('\n');
        }
        t.append(summary(scan));
        if (!scan.skipped().isEmpty()) {
            t.append(String.format(
                    Locale.ROOT, "%nNot in the tables (%d):%n", scan.skipped().size()));
            scan.skipped().forEach(s -> t.append("- ").append(s).append('\n'));
        }
        return t.toString();
    }

    /** Per variant and budget: runs, runs within 1%, runs meeting the goal, mean and worst gap, as tuning / held out. */
    static String summary(Scan scan) {
        StringBuilder t = new StringBuilder("| variant | steps | runs | within 1% | goal met | mean gap | worst gap |\n"
                + "|---|---:|---|---|---|---|---|\n");
        for (var v : scan.rows().entrySet()) {
            TreeSet<Long> budgets = new TreeSet<>();
            v.getValue().forEach(r -> budgets.add(r.cell().steps()));
            for (long steps : budgets) {
                String[] cols = new String[5];
                for (int i = 0; i < cols.length; i++) {
                    List<String> parts = new ArrayList<>();
                    for (boolean tuning : new boolean[] {true, false}) {
                        List<Row> rs = v.getValue().stream()
                                .filter(r -> r.cell().steps() == steps && r.tuning() == tuning)
                                .toList();
                        parts.add(rs.isEmpty() ? "-" : column(i, rs));
                    }
                    cols[i] = String.join(" / ", parts);
                }
                t.append(String.format(Locale.ROOT, "| %s | %d | %s |%n", v.getKey(), steps, String.join(" | ", cols)));
            }
        }
        return t.append("\n(each column: tuning / held out)\n").toString();
    }

    private static String column(int i, List<Row> rs) {
        return switch (i) {
            case 0 -> Integer.toString(rs.size());
            case 1 ->
                Long.toString(rs.stream()
                        .filter(r -> MatrixTable.gap(r) <= MatrixTable.GAP)
                        .count());
            case 2 ->
                Long.toString(rs.stream()
                        .filter(r -> MatrixTable.verdict(r).equals("met"))
                        .count());
            case 3 ->
                MatrixTable.percent(
                        rs.stream().mapToDouble(MatrixTable::gap).average().orElse(Double.NaN), 2);
            default ->
                MatrixTable.percent(
                        rs.stream().mapToDouble(MatrixTable::gap).max().orElse(Double.NaN), 1);
        };
    }

    /** A cell's grid from its fixed runs, indexed by rate; the best as the sweep picks it. */
    private static Grid grid(TreeMap<Double, Result> fixed) {
        TreeMap<Integer, Result> runs = new TreeMap<>();
        fixed.values().forEach(r -> runs.put(runs.size(), r));
        return new Grid(runs, runs.get(SweepMatrix.bestIndex(runs)));
    }

    private static List<FileStatus> directories(FileSystem fs, Path dir) throws IOException {
        List<FileStatus> out = new ArrayList<>();
        for (FileStatus f : fs.listStatus(dir)) {
            if (f.isDirectory()) {
                out.add(f);
            }
        }
        out.sort(Comparator.comparing(f -> f.getPath().getName()));
        return out;
    }
}
