package dev.pacer.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.sweep.SweepMatrix.Cell;
import dev.pacer.sweep.SweepMatrix.Corpus;
import dev.pacer.sweep.SweepMatrix.Plan;
import dev.pacer.sweep.SweepMatrix.Row;
import dev.pacer.sweep.SweepMatrix.Start;
import dev.pacer.sweep.SweepRun.Result;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The matrix's plan (grids, widening, starts), its resumption and its table, with a stand-in for training. */
class SweepMatrixTest {

    @TempDir
    Path out;

    /** Fixed runs: loss 2 + (ln(lr / optimum))² / 10; AdaLRS runs end at {@code adalrsLoss}. */
    private static final class FakeRuns implements SweepRun.Runner {
        final List<String> dirs = new ArrayList<>();
        final double optimum;
        final double adalrsLoss;

        FakeRuns(double optimum, double adalrsLoss) {
            this.optimum = optimum;
            this.adalrsLoss = adalrsLoss;
        }

        @Override
        public Result run(String dir, String kind, double lr, dev.pacer.run.PacerSettings settings) {
            dirs.add(dir);
            double x = Math.log(lr / optimum);
            boolean fixed = kind.equals("fixed");
            return new Result(
                    kind,
                    lr,
                    fixed ? lr : optimum,
                    fixed ? 2 + x * x / 10 : adalrsLoss,
                    600,
                    fixed ? 6000 : 6900,
                    1,
                    "aar");
        }
    }

    private Plan plan(List<Corpus> corpora, List<String> starts, Set<String> tuning) {
        return new Plan(
                out.toString(),
                corpora,
                List.of(1L, 2L),
                List.of(600L),
                5,
                10,
                2,
                starts.stream().map(Start::parse).toList(),
                "v1",
                tuning);
    }

    private static List<Row> run(Plan plan, FakeRuns runs) throws IOException {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return new SweepMatrix(plan, (cell, lr, on) -> null, runs, sink).run();
    }

    @Test
    void aGridWhoseBestIsAtAnEdgeGrowsUntilTheBestIsInsideOrTheLimit() throws IOException {
        // centre 1e-3, points 1e-4 .. 1e-2 (factor sqrt 10); optimum 2e-2: the top end is best,
        // so the grid grows to 3.16e-2, which is best again (|ln 1.58| < |ln 0.5|), so to 1e-1
        FakeRuns runs = new FakeRuns(2e-2, 2.0);
        Plan plan = plan(List.of(new Corpus("a", "p", 1e-3)), List.of("1"), Set.of());
        SweepMatrix.Grid g = new SweepMatrix(plan, (cell, lr, on) -> null, runs, System.out)
                .grid(new Cell(plan.corpora().get(0), 1, 600));
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), List.copyOf(g.runs().keySet()));
        // 1e-1 is worse: 3.16e-2 is inside, the grid stops
        assertEquals(Math.sqrt(10) * 1e-2, g.best().startLr(), 1e-15);

        // an optimum far below: the grid grows by at most `extend` (2) points below its first
        FakeRuns low = new FakeRuns(1e-8, 2.0);
        SweepMatrix.Grid h = new SweepMatrix(plan, (cell, lr, on) -> null, low, System.out)
                .grid(new Cell(plan.corpora().get(0), 1, 600));
        assertEquals(List.of(-2, -1, 0, 1, 2, 3, 4), List.copyOf(h.runs().keySet()));
        assertEquals(1e-5, h.best().startLr(), 1e-18);
    }

    @Test
    void adaLrsStartsAtMultiplesOfEachCellsBestAndSnapsToGridPoints() throws IOException {
        FakeRuns runs = new FakeRuns(1e-3, 2.0);
        Plan plan = plan(List.of(new Corpus("a", "p", 1e-3)), List.of("1/30", "1/3.162", "1", "10"), Set.of("a/2"));
        List<Row> rows = run(plan, runs);
        assertEquals(8, rows.size(), "2 seeds x 4 starts");
        Row third = rows.get(1);
        // 1e-3 / 3.162 is within 1% of a grid step of the grid point 1e-3 / sqrt(10): the grid's own value
        assertEquals(1e-3 / Math.sqrt(10), third.startLr(), 0);
        assertEquals(third.startLr(), third.fixed().startLr(), 0, "the fixed run at the start is the grid's");
        assertEquals(1e-3 / 30, rows.get(0).startLr(), 1e-18);
        assertEquals(null, rows.get(0).fixed(), "1/30x is not a grid point");
        assertTrue(
                runs.dirs.contains(out + "/a/seed-2/steps-600/adalrs-v1-lr-1.000e-02"),
                "AdaLRS runs of the variant in the cell's directory: " + runs.dirs);
        assertTrue(runs.dirs.contains(out + "/a/seed-1/steps-600/fixed-lr-1.000e-04"), runs.dirs.toString());
        assertTrue(!rows.get(0).tuning() && rows.get(4).tuning(), "only seed 2 of corpus a was for tuning");
    }

    @Test
    void theTableJudgesEachRunAgainstTheGoal() throws IOException {
        FakeRuns runs = new FakeRuns(1e-3, 2.015); // 0.75% above the best grid loss (2.0)
        List<Row> rows = run(plan(List.of(new Corpus("a", "p", 1e-3)), List.of("1", "1/10"), Set.of()), runs);
        // from the best: 2.015 is 0.75% worse than the fixed run there (> 0.5%)
        assertEquals("**missed**: > +0.5% vs fixed at best", MatrixTable.verdict(rows.get(0)));
        assertEquals("met", MatrixTable.verdict(rows.get(1)));
        assertEquals(0.0075, MatrixTable.gap(rows.get(1)), 1e-12);
        assertEquals(1.15, MatrixTable.compute(rows.get(1)), 1e-12);

        FakeRuns worse = new FakeRuns(1e-3, 2.03);
        Row r = run(plan(List.of(new Corpus("a", "p", 1e-3)), List.of("1/10"), Set.of()), worse)
                .get(0);
        assertEquals("**missed**: gap > 1%", MatrixTable.verdict(r));
        String md = Files.readString(out.resolve("matrix-v1.md"));
        assertTrue(
                md.contains(
                        "| a | held out | 1 | 600 | 1.000e-03 | 2.0000 | 1/10x | 1.000e-04 | 2.5302 | 2.0300 | +1.50% |"),
                md);
        assertTrue(md.contains("| 600 | held out | 2 | 0 | +1.50% | +1.50% |"), md);
        // each cell's grid, best in bold: 2 + (ln(lr / 1e-3))² / 10
        assertTrue(
                md.contains(
                        "| a | 2 | 600 | 1.000e-04 2.5302, 3.162e-04 2.1325, **1.000e-03 2.0000**, 3.162e-03 2.1325,"),
                md);
    }
}
