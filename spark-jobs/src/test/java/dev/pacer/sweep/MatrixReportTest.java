package dev.pacer.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report over every finished run under a sweep's output, read from run directories written
 * by hand (as two sweeps of different cells and variants would leave them); every figure below is
 * worked out from the losses, levels and token counts written.
 */
public class MatrixReportTest {

    @TempDir
    Path out;

    /**
     * Writes a run directory: a {@code finished} event with {@code valLoss} and {@code tokens}
     * (none when {@code valLoss} is null: a run still going), and a last metrics row with
     * {@code level}.
     */
    public static void writeRun(Path dir, Double valLoss, long tokens, double level) throws IOException {
        Files.createDirectories(dir);
        Files.write(
                dir.resolve("metrics.jsonl"),
                List.of(
                        "{\"step\":1,\"loss\":5.0,\"lr_level\":1.0,\"elapsed_s\":1.0}",
                        String.format(
                                Locale.ROOT, "{\"step\":600,\"loss\":2.0,\"lr_level\":%s,\"elapsed_s\":9.5}", level)));
        Files.write(
                dir.resolve("events.jsonl"),
                valLoss == null
                        ? List.of("{\"event\":\"corpus\"}")
                        : List.of(
                                "{\"event\":\"adalrs\",\"step\":75,\"outcome\":\"accept\"}",
                                String.format(
                                        Locale.ROOT,
                                        "{\"event\":\"finished\",\"step\":600,\"tokens\":%d,\"val_loss\":%s}",
                                        tokens,
                                        valLoss)));
    }

    /**
     * Cell a/1/600 (tuning): fixed 2.0 at 1e-3 (best), 2.1 and 2.2 around it; variant v1 from 1e-4
     * (2.03, level 8) and 1e-3 (2.008, level 0.5); the default variant from 1e-2 (2.01, level 0.1,
     * 7000 tokens against 6000); variant v2 from 1.001e-2 (2.04, level 0.1). Cell b/2/2400: fixed 1.5 at 1e-3, one fixed run unfinished; v1
     * from 1e-3 (1.509). Cell c/1/600: AdaLRS runs only.
     */
    public static void writeTwoSweeps(Path out) throws IOException {
        Path a = out.resolve("a/seed-1/steps-600");
        writeRun(a.resolve("fixed-lr-3.162e-04"), 2.2, 6000, 1);
        writeRun(a.resolve("fixed-lr-1.000e-03"), 2.0, 6000, 1);
        writeRun(a.resolve("fixed-lr-3.162e-03"), 2.1, 6000, 1);
        writeRun(a.resolve("adalrs-v1-lr-1.000e-04"), 2.03, 6900, 8);
        writeRun(a.resolve("adalrs-v1-lr-1.000e-03"), 2.008, 6900, 0.5);
        writeRun(a.resolve("adalrs-lr-1.000e-02"), 2.01, 7000, 0.1);
        // an earlier sweep's start a rounding away from the grid's 1e-2: the same 10x column
        writeRun(a.resolve("adalrs-v2-lr-1.001e-02"), 2.04, 6900, 0.1);
        Path b = out.resolve("b/seed-2/steps-2400");
        writeRun(b.resolve("fixed-lr-1.000e-03"), 1.5, 6000, 1);
        writeRun(b.resolve("fixed-lr-3.162e-03"), null, 0, 1);
        writeRun(b.resolve("adalrs-v1-lr-1.000e-03"), 1.509, 6900, 1);
        writeRun(out.resolve("c/seed-1/steps-600/adalrs-v1-lr-1.000e-03"), 2.0, 6900, 1);
        // not sweep runs: ignored
        Files.createDirectories(out.resolve("noise/a-600"));
        Files.createDirectories(a.resolve("checkpoints-old"));
    }

    @Test
    void everyFinishedRunUnderTheOutputIsJudgedAndTheRestIsListed() throws IOException {
        writeTwoSweeps(out);
        MatrixReport.Scan scan = MatrixReport.scan(out.toString(), Set.of("a/1"));
        assertEquals(Set.of("adalrs", "v1", "v2"), scan.rows().keySet());
        assertEquals(3, scan.rows().get("v1").size(), "two in cell a, one in cell b");
        assertEquals(Set.of("a", "b"), MatrixReport.corpora(scan));
        assertEquals(2, scan.skipped().size(), scan.skipped().toString());
        assertTrue(
                scan.skipped().get(0).endsWith("b/seed-2/steps-2400/fixed-lr-3.162e-03: not finished"),
                scan.skipped().toString());
        assertTrue(
                scan.skipped()
                        .get(1)
                        .endsWith("c/seed-1/steps-600/adalrs-v1-lr-1.000e-03: its cell has no finished"
                                + " fixed run to judge it against"),
                scan.skipped().toString());

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        MatrixReport.write(out.toString(), scan, new PrintStream(printed, true, StandardCharsets.UTF_8));
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(printed.toString(StandardCharsets.UTF_8).startsWith(md), "the report is printed as saved");
        assertTrue(
                md.contains(
                        "**a, seed 1, 600 steps (tuning).** Fixed grid (lr val loss, best in bold): 3.162e-04 2.2000,"
                                + " **1.000e-03 2.0000**, 3.162e-03 2.1000."),
                md);
        assertTrue(md.contains("| variant | 1/10x | 1x | 10x | mean gap | goal met |"), md);
        // the default variant: 2.01 / 2.0 = +0.5%, ended at 1e-2 x 0.1 = the best rate; 7000 tokens
        // are 1.17x the 6000 of one run, so the goal is missed
        assertTrue(md.contains("| adalrs | - | - | +0.5% (1.00) | +0.50% (1) | 0 / 1 |"), md);
        // v1: 2.03 / 2.0 = +1.5% at 1e-4 x 8 = 0.80 of the best; 2.008 / 2.0 = +0.4% at 0.50;
        // mean (1.5 + 0.4) / 2 = 0.95%; only the second meets the goal
        assertTrue(md.contains("| v1 | +1.5% (0.80) | +0.4% (0.50) | - | +0.95% (2) | 1 / 2 |"), md);
        // v2 started at 1.001e-2, 10.01x the best: labelled 10x, in the same column; 2.04 / 2.0 = +2.0%,
        // ended at 1.001e-3 (1.00 of the best)
        assertTrue(md.contains("| v2 | - | - | +2.0% (1.00) | +2.00% (1) | 0 / 1 |"), md);
        // cell b: 1.509 / 1.5 = +0.6%, within 1% but 0.6% worse than the fixed run at the best rate
        assertTrue(md.contains("**b, seed 2, 2400 steps (held out).**"), md);
        assertTrue(md.contains("| v1 | +0.6% (1.00) | +0.60% (1) | 0 / 1 |"), md);
        // the summary, tuning / held out
        assertTrue(md.contains("| adalrs | 600 | 1 / - | 1 / - | 0 / - | +0.50% / - | +0.5% / - |"), md);
        assertTrue(md.contains("| v1 | 600 | 2 / - | 1 / - | 1 / - | +0.95% / - | +1.5% / - |"), md);
        assertTrue(md.contains("| v1 | 2400 | - / 1 | - / 1 | - / 0 | - / +0.60% | - / +0.6% |"), md);
        assertTrue(md.contains("Not in the tables (2):"), md);

        JsonNode json = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertEquals(1, json.get("adalrs").size());
        assertEquals(3, json.get("v1").size());
        assertEquals(0.004, json.get("v1").get(1).get("gap_to_best").asDouble(), 1e-12);
    }

    @Test
    void startsAreLabelledByTheirMultipleOfTheBestRate() {
        assertEquals("1/30x", SweepMatrix.Start.of(1.667e-4 / 5e-3).label());
        assertEquals("1/3.16x", SweepMatrix.Start.of(1.581e-3 / 5e-3).label());
        assertEquals("1/10x", SweepMatrix.Start.of(5.001e-4 / 5e-3).label());
        assertEquals("1x", SweepMatrix.Start.of(4.9999e-3 / 5e-3).label());
        assertEquals("10x", SweepMatrix.Start.of(4.999e-2 / 5e-3).label());
        assertEquals("3.16x", SweepMatrix.Start.of(1.581e-2 / 5e-3).label());
    }
}
