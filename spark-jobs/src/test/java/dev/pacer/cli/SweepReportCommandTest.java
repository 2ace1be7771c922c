package dev.pacer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.sweep.MatrixReportTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pacer sweep --report}: the report over finished runs, and what it refuses (one line, no Spark). */
class SweepReportCommandTest {

    @TempDir
    Path out;

    @Test
    void theReportCoversEveryCellAndVariantUnderTheOutput() throws IOException {
        MatrixReportTest.writeTwoSweeps(out);
        CliRun.Result r = CliRun.run("sweep", "--output", out.toString(), "--report", "--tuning", "a/1");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(out.resolve("report.md")));
        assertTrue(r.out().contains("| v1 | 600 | 2 / - | 1 / - | 1 / - | +0.95% / - | +1.5% / - |"), r.out());
        assertTrue(r.out().contains("| v1 | 2400 | - / 1 |"), r.out());
    }

    @Test
    void optionsTheReportWouldIgnoreAndOutputsWithoutRunsAreRefused() throws IOException {
        MatrixReportTest.writeTwoSweeps(out);
        String o = out.toString();
        String ignored = "--report reads the finished runs under --output and trains nothing";
        CliRun.assertUsageError(CliRun.run("sweep", "--output", o, "--report", "--corpus", "a=x"), ignored);
        CliRun.assertUsageError(CliRun.run("sweep", "--output", o, "--report", "--variant", "v2"), ignored);
        CliRun.assertUsageError(CliRun.run("sweep", "--output", o, "--report", "--set", "pacer.seed=2"), ignored);
        CliRun.assertUsageError(CliRun.run("sweep", "--output", o, "--report", "--max-steps", "600"), ignored);
        CliRun.assertUsageError(CliRun.run("sweep", "--output", o, "--report", "--points", "5"), ignored);
        CliRun.assertUsageError(CliRun.run("sweep", "--output", o, "--report", "--extend", "1"), ignored);
        CliRun.assertUsageError(
                CliRun.run("sweep", "--output", o, "--report", "--tuning", "zz/1"),
                "--tuning zz/1: no corpus zz under " + o,
                "(found a, b)");
        CliRun.assertUsageError(
                CliRun.run("sweep", "--output", out.resolve("missing").toString(), "--report"), "no such directory");
        Path empty = Files.createDirectories(out.resolve("empty"));
        CliRun.assertUsageError(
                CliRun.run("sweep", "--output", empty.toString(), "--report"),
                "no finished sweep run found",
                "CORPUS/seed-S/steps-N/fixed-lr-X");
        assertTrue(Files.notExists(empty.resolve("report.md")));
    }
}
