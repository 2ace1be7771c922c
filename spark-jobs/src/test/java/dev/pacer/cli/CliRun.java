package dev.pacer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.apache.spark.sql.SparkSession;

/** Runs the command line in-process, capturing what it prints, and checks that no Spark session started. */
final class CliRun {

    /** Exit code, standard output (raw bytes and as UTF-8) and standard error. */
    record Result(int code, byte[] bytes, String err) {
        String out() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private CliRun() {}

    static Result run(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream previous = System.out;
        int code;
        try (PrintStream capture = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            code = PacerCli.run(new PrintWriter(err, true), args);
        } finally {
            System.setOut(previous);
        }
        assertTrue(SparkSession.getDefaultSession().isEmpty(), "a Spark session was started");
        return new Result(code, out.toByteArray(), err.toString());
    }

    /** Exit code 2 with one line of error holding every fragment. */
    static void assertUsageError(Result r, String... fragments) {
        assertEquals(2, r.code(), r.err());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "'" + f + "' not in: " + r.err());
        }
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }
}
