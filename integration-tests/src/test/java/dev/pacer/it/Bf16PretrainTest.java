package dev.pacer.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.cli.PacerCli;
import dev.pacer.engine.Bf16Hardware;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pretrain with {@code pacer.train.precision = bf16} and bf16 gradient transfer on local[2]: the
 * run records the precision it computed in (bf16 where this CPU has a native bf16 path, else fp32
 * by the documented fallback, so the test holds on any CPU), a run stopped and resumed equals the
 * uninterrupted one, and its checkpoint exports.
 */
class Bf16PretrainTest {

    @TempDir
    Path tmp;

    private static final String[] BF16 = {
        "--set", "pacer.train.precision=bf16", "--set", "pacer.spark.gradient-encoding=bf16"
    };

    private static String[] pretrain(Path run, String... extra) {
        String[] base = TinyRun.pretrain(run, extra);
        String[] all = java.util.Arrays.copyOf(base, base.length + BF16.length);
        System.arraycopy(BF16, 0, all, base.length, BF16.length);
        return all;
    }

    @Test
    void aStoppedBf16RunResumesExactlyRecordsItsPrecisionAndExports() throws IOException {
        Path a = tmp.resolve("straight");
        Path b = tmp.resolve("resumed");
        assertEquals(0, PacerCli.run(pretrain(a, "--max-steps", "8")));
        assertEquals(0, PacerCli.run(pretrain(b, "--max-steps", "8", "--stop-after", "5")));
        assertEquals(0, PacerCli.run(pretrain(b, "--max-steps", "8")));

        assertEquals(TinyRun.deterministicRows(a), TinyRun.deterministicRows(b));
        for (String file : List.of("model.safetensors", "optimizer.safetensors")) {
            assertArrayEquals(
                    Files.readAllBytes(a.resolve("checkpoints/step-0000008/" + file)),
                    Files.readAllBytes(b.resolve("checkpoints/step-0000008/" + file)),
                    file);
        }

        String expected = Bf16Hardware.thisMachine().nativeBf16() ? "bf16" : "fp32";
        List<JsonNode> decisions = TinyRun.events(b).stream()
                .filter(e -> "precision".equals(e.path("event").asText()))
                .toList();
        assertEquals(2, decisions.size(), "one decision per invocation");
        for (JsonNode d : decisions) {
            assertEquals("bf16", d.get("requested").asText());
            assertEquals(expected, d.get("effective").asText(), d.toString());
            assertTrue(
                    d.get("executor_cpus")
                            .get(0)
                            .asText()
                            .contains(Bf16Hardware.thisMachine().cpu()),
                    d.toString());
        }

        Path export = tmp.resolve("export");
        assertEquals(0, PacerCli.run("export", "--checkpoint", a.toString(), "--output", export.toString()));
        assertTrue(Files.size(export.resolve("model.safetensors")) > 0);
    }
}
