package dev.pacer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.cli.PacerCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pretrain command end to end on the bundled corpus, and its refusal of damaged state. */
class PretrainEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void tinyRunLearnsAndWritesEveryOutput() throws IOException {
        Path run = tmp.resolve("run");
        assertEquals(
                0,
                PacerCli.run(TinyRun.pretrain(
                        run,
                        "--max-steps",
                        "30",
                        "--set",
                        "pacer.train.lr=3e-3",
                        "--set",
                        "pacer.train.eval-every=10",
                        "--set",
                        "pacer.checkpoint.every=10",
                        "--set",
                        "pacer.checkpoint.keep=2")));
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertEquals(30, lines.size());
        JsonNode first = JSON.readTree(lines.get(0));
        JsonNode last = JSON.readTree(lines.get(29));
        for (String field : List.of("step", "tokens", "loss", "lr", "tokens_per_s")) {
            assertTrue(first.has(field) && last.has(field), field);
        }
        assertEquals(30L * 4 * 32, last.get("tokens").asLong()); // steps x sequences x tokens
        // a byte model starts near ln(257) = 5.55 nats and must learn byte frequencies quickly
        assertEquals(Math.log(257), first.get("loss").asDouble(), 0.3);
        assertTrue(
                last.get("val_loss").asDouble() < first.get("loss").asDouble() - 1.0,
                "validation loss " + last.get("val_loss") + " did not fall below the first loss " + first.get("loss"));
        // keep = 2: only the two newest committed checkpoints remain
        try (var dirs = Files.list(run.resolve("checkpoints"))) {
            assertEquals(
                    List.of("step-0000020", "step-0000030"),
                    dirs.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertTrue(Files.readString(run.resolve("events.jsonl")).contains("\"event\":\"finished\""));
        assertTrue(Files.readString(run.resolve("config.json")).contains("\"preset\":\"tiny\""));
    }

    @Test
    void truncatedCheckpointStopsTheResumeWithTheFileNamed() throws IOException {
        Path run = tmp.resolve("damaged");
        assertEquals(0, PacerCli.run(TinyRun.pretrain(run, "--max-steps", "3")));
        Path model = run.resolve("checkpoints/step-0000003/model.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(model.toFile(), "rw")) {
            f.setLength(f.length() - 100);
        }
        StringWriter err = new StringWriter();
        int code = PacerCli.run(new PrintWriter(err, true), TinyRun.pretrain(run, "--max-steps", "6"));
        assertEquals(1, code);
        assertTrue(
                err.toString().contains(model.getFileName().toString())
                        && err.toString().contains("truncated"),
                err.toString());
    }
}
