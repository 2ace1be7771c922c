package dev.pacer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad prepare command lines: exit code 2 and one line naming the input, before Spark starts. */
class PrepareCommandTest {

    @TempDir
    Path dir;

    private record Result(int code, String err) {}

    private Result run(String... args) {
        StringWriter err = new StringWriter();
        int code = PacerCli.run(new PrintWriter(err, true), args);
        assertTrue(SparkSession.getDefaultSession().isEmpty(), "a Spark session was started");
        return new Result(code, err.toString());
    }

    @Test
    void outputIsRequired() {
        Result r = run("prepare");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--output"), r.err());
    }

    @Test
    void missingInputAndEmptyGlobAreNamed() {
        Result r = run(
                "prepare",
                "--input",
                dir.resolve("gone.jsonl").toString(),
                "--output",
                dir.resolve("o").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("gone.jsonl") && r.err().contains("no such file"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        r = run(
                "prepare",
                "--input",
                dir.resolve("*.parquet").toString(),
                "--output",
                dir.resolve("o").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("matches no file"), r.err());
    }

    @Test
    void unknownFormatAndUnreadableTokenizerAreConfigurationErrors() throws Exception {
        Path corpus = dir.resolve("c.txt");
        Files.writeString(corpus, "text\n");
        Result r = run(
                "prepare",
                "--input",
                corpus.toString(),
                "--output",
                dir.resolve("o").toString(),
                "--set",
                "pacer.data.format=csv");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("pacer.data.format") && r.err().contains("jsonl"), r.err());
        Path tok = dir.resolve("tokenizer.json");
        Files.writeString(tok, "{not json");
        r = run(
                "prepare",
                "--input",
                corpus.toString(),
                "--output",
                dir.resolve("o").toString(),
                "--set",
                "pacer.data.tokenizer=" + tok);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("tokenizer.json") && r.err().contains("not valid JSON"), r.err());
    }

    @Test
    void foreignOutputDirectoryIsRefused() throws Exception {
        Path corpus = dir.resolve("c.txt");
        Files.writeString(corpus, "text\n");
        Path out = dir.resolve("mine");
        Files.createDirectories(out);
        Files.writeString(out.resolve("thesis.tex"), "do not delete");
        Result r = run("prepare", "--input", corpus.toString(), "--output", out.toString(), "--overwrite");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("not a Pacer dataset"), r.err());
        assertTrue(Files.exists(out.resolve("thesis.tex")));
    }
}
