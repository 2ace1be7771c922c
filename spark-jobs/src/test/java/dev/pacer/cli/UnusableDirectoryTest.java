package dev.pacer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run directory (or prepare's output) that cannot be written is refused before Spark starts:
 * exit 2, one line naming the option and the fix.
 */
class UnusableDirectoryTest {

    @TempDir
    Path dir;

    private record Result(int code, String err) {}

    private static Result run(String... args) {
        StringWriter err = new StringWriter();
        int code = PacerCli.run(new PrintWriter(err, true), args);
        assertTrue(SparkSession.getDefaultSession().isEmpty(), "a Spark session was started");
        return new Result(code, err.toString());
    }

    private static Result pretrain(Path runDir) {
        return run(
                "pretrain",
                "--run-dir",
                runDir.toString(),
                "--max-steps",
                "2",
                "--set",
                "pacer.model.preset=tiny",
                "--set",
                "pacer.train.seq-len=32",
                "--set",
                "pacer.spark.conf.spark.ui.enabled=false");
    }

    private static void assertRefused(Result r, String... fragments) {
        assertEquals(PacerCli.USAGE, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("pacer: configuration error: "), r.err());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "'" + f + "' not in: " + r.err());
        }
        assertFalse(r.err().contains("Exception"), r.err());
    }

    /** Whether permission bits stop this process's writes (they do not stop root's). */
    private static boolean permissionsApply() {
        return !"root".equals(System.getProperty("user.name"));
    }

    @Test
    void aFileWhereTheRunDirectoryShouldBe() throws IOException {
        Path file = Files.writeString(dir.resolve("run"), "not a directory");
        assertRefused(pretrain(file), "--run-dir " + file, "is a file, not a directory", "give a directory");
        assertEquals("not a directory", Files.readString(file));
    }

    @Test
    void aRunDirectoryBelowARegularFileCannotBeCreated() throws IOException {
        Path file = Files.writeString(dir.resolve("notes.txt"), "mine");
        Path runDir = file.resolve("run");
        assertRefused(pretrain(runDir), "--run-dir " + runDir, "cannot be created", "notes.txt is a file");
    }

    /**
     * A directory this process may not write: made read-only for an ordinary user; as root, whom
     * permission bits do not stop, the kernel's /proc, where nobody may create a file.
     */
    @Test
    void aRunDirectoryWithoutWritePermission() throws IOException {
        if (permissionsApply()) {
            Path readOnly = Files.createDirectories(dir.resolve("ro"));
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
            try {
                assertRefused(pretrain(readOnly), "--run-dir " + readOnly, "is not writable", "write permission");
                assertRefused(pretrain(readOnly.resolve("run")), "cannot be created", "write permission");
            } finally {
                Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        } else {
            assertRefused(pretrain(Path.of("/proc")), "--run-dir /proc", "is not writable", "write permission");
            Path below = Path.of("/proc", "pacer-" + UUID.randomUUID(), "run");
            assertRefused(pretrain(below), "--run-dir " + below, "cannot be created", "write permission");
        }
    }

    @Test
    void prepareOutputBelowARegularFileIsRefusedToo() throws IOException {
        Path corpus = Files.writeString(dir.resolve("c.txt"), "some text\n");
        Path out = corpus.resolve("dataset");
        Result r = run("prepare", "--input", corpus.toString(), "--output", out.toString());
        assertRefused(r, "--output " + out, "cannot be created", "c.txt is a file");
    }
}
