package dev.pacer.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.cli.PacerCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/design.md sections 5 and 6: a run of 2N steps, and a run stopped at N and resumed to 2N, give the
 * same metric rows and bit-identical final weights. The stopped run's newest checkpoint also
 * loses its commit marker, so the resume must fall back to the previous checkpoint, drop the
 * metric rows written after it, and recompute them.
 */
class ResumeTest {

    @TempDir
    Path tmp;

    @Test
    void stoppedAndResumedRunEqualsUninterruptedRun() throws IOException {
        Path a = tmp.resolve("straight");
        Path b = tmp.resolve("resumed");
        assertEquals(0, PacerCli.run(TinyRun.pretrain(a, "--max-steps", "8")));
        assertEquals(0, PacerCli.run(TinyRun.pretrain(b, "--max-steps", "8", "--stop-after", "5")));
        assertEquals(5, TinyRun.deterministicRows(b).size());
        assertTrue(Files.exists(b.resolve("checkpoints/step-0000005/COMMITTED")));
        // an interrupted write: the newest checkpoint never got its marker
        Files.delete(b.resolve("checkpoints/step-0000005/COMMITTED"));
        assertEquals(0, PacerCli.run(TinyRun.pretrain(b, "--max-steps", "8")));

        List<ObjectNode> straight = TinyRun.deterministicRows(a);
        List<ObjectNode> resumed = TinyRun.deterministicRows(b);
        assertEquals(8, straight.size());
        assertEquals(straight, resumed);
        for (int i = 0; i < 8; i++) {
            assertEquals(i + 1, straight.get(i).get("step").asInt());
        }
        assertTrue(straight.get(2).has("val_loss")
                && straight.get(5).has("val_loss")
                && straight.get(7).has("val_loss"));
        assertArrayEquals(
                Files.readAllBytes(a.resolve("checkpoints/step-0000008/model.safetensors")),
                Files.readAllBytes(b.resolve("checkpoints/step-0000008/model.safetensors")));
        assertArrayEquals(
                Files.readAllBytes(a.resolve("checkpoints/step-0000008/optimizer.safetensors")),
                Files.readAllBytes(b.resolve("checkpoints/step-0000008/optimizer.safetensors")));

        JsonNode resume = TinyRun.events(b).stream()
                .filter(e -> "resume".equals(e.path("event").asText()))
                .findFirst()
                .orElseThrow();
        assertEquals(3, resume.get("step").asInt());
        assertTrue(resume.get("checkpoint").asText().endsWith("step-0000003"));
        assertEquals(2, resume.get("metric_rows_dropped").asInt()); // rows 4 and 5
        assertTrue(resume.get("warnings").get(0).asText().contains("step-0000005"));
    }
}
