package dev.pacer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pacer.config.ConfigError;
import dev.pacer.data.CorpusException;
import java.util.concurrent.ExecutionException;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

/** Which line and exit code an exception gets, whatever Spark wrapped it in. */
class RefusalTest {

    private static final String STAGE_FAILURE = "Job aborted due to stage failure: Task 3 in stage 2.0 failed 4 times,"
            + " most recent failure: Lost task 3.3 in stage 2.0 (TID 17) (10.0.0.7 executor 2): ";

    @Test
    void aTaskExceptionThatTravelledWithTheFailureIsFoundInTheCauses() {
        SparkException wrapped = new SparkException(
                STAGE_FAILURE + "dev.pacer.data.CorpusException: a.txt: bad\n\tat x.y(Z.java:1)\n\nDriver stacktrace:",
                new CorpusException("a.txt: bad"));
        Refusal r = Refusal.of(new ExecutionException(wrapped));
        assertEquals(new Refusal(PacerCli.FAILURE, Refusal.BAD_INPUT, "a.txt: bad"), r);
    }

    @Test
    void aTaskExceptionKnownOnlyByTheReportsTextIsStillNamed() {
        // on a cluster an exception the driver cannot deserialize arrives as text only
        String report = STAGE_FAILURE + "dev.pacer.data.CorpusException: s3a://b/c.jsonl: read failed (reset)\n"
                + "\tat dev.pacer.data.source.DocumentReader.read(DocumentReader.java:45)\n\nDriver stacktrace:";
        assertEquals(
                new Refusal(PacerCli.FAILURE, Refusal.BAD_INPUT, "s3a://b/c.jsonl: read failed (reset)"),
                Refusal.of(new SparkException(report)));
        assertEquals(
                new Refusal(PacerCli.USAGE, Refusal.CONFIGURATION, "pacer.x: bad"),
                Refusal.of(new SparkException(STAGE_FAILURE + "dev.pacer.config.ConfigError: pacer.x: bad")));
        Refusal other = Refusal.of(new SparkException(STAGE_FAILURE + "java.lang.OutOfMemoryError: Java heap space"));
        assertEquals(
                new Refusal(PacerCli.FAILURE, Refusal.FAILED, "java.lang.OutOfMemoryError: Java heap space"), other);
    }

    @Test
    void configurationErrorsExitTwoAndEverythingElseOne() {
        assertEquals(
                PacerCli.USAGE,
                Refusal.of(new ConfigError("--run-dir x: is a file")).exitCode());
        Refusal npe = Refusal.of(new IllegalStateException("wrapper", new NullPointerException("n is null")));
        assertEquals(
                new Refusal(
                        PacerCli.FAILURE,
                        Refusal.FAILED,
                        "java.lang.IllegalStateException: wrapper (caused by java.lang.NullPointerException: n is null)"),
                npe);
        assertEquals(
                "pacer: bad input: a.txt: two lines (full trace in /l.log)",
                new Refusal(PacerCli.FAILURE, Refusal.BAD_INPUT, Refusal.oneLine("a.txt: two\n  lines"))
                        .line("full trace in /l.log"));
    }
}
