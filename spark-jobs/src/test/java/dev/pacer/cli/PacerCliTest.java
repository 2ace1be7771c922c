package dev.pacer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad command lines and settings: exit code 2 and a one-line message, before Spark starts. */
class PacerCliTest {

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
    void maxStepsNotANumber() {
        Result r = run("pretrain", "--max-steps", "ten");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--max-steps") && r.err().contains("ten"), r.err());
    }

    @Test
    void usageErrorsAreOneLineWithTheSuggestionAndWhereHelpIs() {
        Result r = run("pretrain", "--max-step", "3");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("--max-step") && r.err().contains("did you mean --max-steps"), r.err());
        assertTrue(r.err().contains("pacer pretrain --help"), r.err());
        r = run("pretrain", "--max-steps", "ten");
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void unknownKeyInSet() {
        Result r = run("pretrain", "--run-dir", dir.toString(), "--set", "pacer.train.lrr=0.1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("did you mean 'pacer.train.lr'"), r.err());
    }

    @Test
    void unknownKeyInConfFile() throws Exception {
        Path conf = dir.resolve("bad.conf");
        java.nio.file.Files.writeString(conf, "pacer.train {\n  global-bach = 8\n}\n");
        Result r = run("pretrain", "--run-dir", dir.toString(), "--conf", conf.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("pacer.train.global-bach") && r.err().contains("bad.conf: 2"), r.err());
        assertTrue(r.err().contains("did you mean 'pacer.train.global-batch'"), r.err());
    }

    @Test
    void negativeLearningRate() {
        Result r = run("pretrain", "--run-dir", dir.toString(), "--set", "pacer.train.lr=-3e-4");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("pacer.train.lr = -3.0E-4"), r.err());
    }

    @Test
    void missingCorpusPath() {
        Result r = run(
                "pretrain",
                "--run-dir",
                dir.toString(),
                "--set",
                "pacer.data.path=" + dir.resolve("no-such-corpus.txt"));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("pacer.data.path") && r.err().contains("no-such-corpus.txt"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void missingProfileAndMissingCommand() {
        assertEquals(2, run("pretrain", "--profile", "moon").code());
        assertEquals(2, run().code());
    }
}
