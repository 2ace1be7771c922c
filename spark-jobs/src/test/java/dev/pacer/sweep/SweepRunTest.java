package dev.pacer.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decisions column: one letter per AdaLRS outcome, the warmup race's in capitals. */
class SweepRunTest {

    @TempDir
    Path tmp;

    @Test
    void decisionsAreOneLetterEachAndTheRaceIsInCapitals() throws IOException {
        Files.write(
                tmp.resolve("events.jsonl"),
                List.of(
                        "{\"event\":\"corpus\"}",
                        "{\"event\":\"adalrs\",\"step\":61,\"outcome\":\"reject\",\"race\":true}",
                        "{\"event\":\"adalrs\",\"step\":76,\"outcome\":\"accept\"}",
                        "{\"event\":\"adalrs\",\"step\":91,\"outcome\":\"neutral\"}"));
        assertEquals("Ran", SweepRun.decisions(tmp.toString()));
        Files.write(
                tmp.resolve("events.jsonl"),
                List.of(
                        "{\"event\":\"adalrs\",\"step\":1,\"outcome\":\"race-skipped\",\"reason\":\"budget\"}",
                        "{\"event\":\"adalrs\",\"step\":75,\"outcome\":\"accept\"}"));
        assertEquals("xa", SweepRun.decisions(tmp.toString()));
    }
}
