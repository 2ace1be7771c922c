package dev.pacer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesLogTest {

    @TempDir
    Path dir;

    @Test
    void reopeningKeepsSelectedRowsAndDropsAPartialLastLine() throws IOException {
        RunStorage storage = new RunStorage(dir.toString(), new Configuration());
        try (JsonLinesLog log = new JsonLinesLog(storage, storage.resolve("m.jsonl"), r -> true)) {
            for (int s = 1; s <= 5; s++) {
                log.append(JsonLinesLog.row().put("step", s));
            }
        }
        Files.writeString(
                dir.resolve("m.jsonl"),
                "{\"step\":6,\"lo",
                StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        try (JsonLinesLog log = new JsonLinesLog(
                storage, storage.resolve("m.jsonl"), r -> r.path("step").asLong() <= 3)) {
            assertEquals(3, log.keptOnOpen());
            assertEquals(3, log.droppedOnOpen()); // rows 4, 5 and the cut-off row 6
            log.append(JsonLinesLog.row().put("step", 4));
        }
        List<String> lines = Files.readAllLines(dir.resolve("m.jsonl"));
        assertEquals(List.of("{\"step\":1}", "{\"step\":2}", "{\"step\":3}", "{\"step\":4}"), lines);
    }
}
