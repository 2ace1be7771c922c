package dev.pacer.cli;

import static dev.pacer.cli.CliRun.assertUsageError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.cli.CliRun.Result;
import dev.pacer.generate.Generator;
import dev.pacer.generate.NextTokenSampler;
import dev.pacer.generate.SamplingSettings;
import dev.pacer.run.ModelFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** evaluate, sample and export from the command line: results, and bad input refused in one line. */
class ModelCommandsTest {

    @TempDir
    Path dir;

    private Path runDir;
    private Path checkpoint;

    @BeforeEach
    void writeCheckpoint() throws IOException {
        runDir = dir.resolve("run");
        checkpoint = ModelFixture.write(runDir, 40, ModelFixture.weights(), 32);
    }

    private static Result run(String... args) {
        return CliRun.run(args);
    }

    @Test
    void greedySampleIsTheModelsArgmaxContinuation() {
        Result r = run(
                "sample",
                "--checkpoint",
                checkpoint.toString(),
                "--prompt",
                "The ",
                "--greedy",
                "--max-tokens",
                "12",
                "--past-end");
        assertEquals(0, r.code(), r.err());
        int[] expected;
        try (Generator g = new Generator(ModelFixture.LAYOUT, ModelFixture.weights(), Device.cpu())) {
            expected = g.continuation(
                    new int[] {'T', 'h', 'e', ' '}, 12, new NextTokenSampler(SamplingSettings.greedy()), -1);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : expected) {
            // past the end of a document, the end-of-document token is shown by name
            bytes.writeBytes(id == 256 ? "<|endoftext|>".getBytes(StandardCharsets.UTF_8) : new byte[] {(byte) id});
        }
        assertEquals(bytes.toString(StandardCharsets.UTF_8) + "\n", r.out());
    }

    @Test
    void sampledTextIsDeterministicInTheSeed() {
        String[] base = {
            "sample",
            "--checkpoint",
            runDir.toString(),
            "--prompt",
            "Mr President",
            "--max-tokens",
            "30",
            "--temperature",
            "1.5",
            "--top-k",
            "50",
            "--past-end"
        };
        Result a = run(concat(base, "--seed", "5"));
        Result b = run(concat(base, "--seed", "5"));
        Result c = run(concat(base, "--seed", "6"));
        assertEquals(0, a.code(), a.err());
        assertEquals(a.out(), b.out());
        assertNotEquals(a.out(), c.out());
    }

    @Test
    void evaluatePrintsLossPerplexityAndBitsPerByte() throws IOException {
        Path data = dir.resolve("docs.txt");
        Files.writeString(
                data,
                "The committee adopted the report without a vote and the sitting was closed.\n"
                        + "Mr President, I would like to thank the rapporteur for her excellent work.\n");
        Result r = run("evaluate", "--checkpoint", checkpoint.toString(), "--data", data.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(32, j.get("seq_len").asInt(), "the run's training sequence length by default");
        assertEquals(40, j.get("step").asInt());
        assertEquals(Math.exp(j.get("loss").asDouble()), j.get("perplexity").asDouble(), 1e-9);
        assertEquals(
                j.get("loss").asDouble() / Math.log(2), j.get("bits_per_byte").asDouble(), 1e-9);
        Result text =
                run("evaluate", "--checkpoint", checkpoint.toString(), "--data", data.toString(), "--seq-len", "16");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("perplexity") && text.out().contains("bits/byte"), text.out());
    }

    @Test
    void exportWritesTheGpt2FilesAndRefusesToOverwrite() {
        Path out = dir.resolve("export");
        Result r = run("export", "--checkpoint", checkpoint.toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        for (String f : new String[] {
            "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"
        }) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertUsageError(
                run("export", "--checkpoint", checkpoint.toString(), "--output", out.toString()),
                "not empty",
                "--force");
        assertEquals(
                0,
                run("export", "--checkpoint", checkpoint.toString(), "--output", out.toString(), "--force")
                        .code());
    }

    @Test
    void missingUncommittedAndDamagedCheckpoints() throws IOException {
        assertUsageError(
                run("evaluate", "--checkpoint", dir.resolve("nowhere").toString(), "--data", "bundled"),
                "no such directory");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertUsageError(
                run("sample", "--checkpoint", empty.toString(), "--prompt", "x"),
                "neither a checkpoint nor a run directory");
        Files.delete(checkpoint.resolve("COMMITTED"));
        assertUsageError(
                run(
                        "export",
                        "--checkpoint",
                        checkpoint.toString(),
                        "--output",
                        dir.resolve("o").toString()),
                "COMMITTED",
                "interrupted");
        Result none = run("sample", "--checkpoint", runDir.toString(), "--prompt", "x");
        assertEquals(2, none.code(), none.err());
        assertTrue(
                none.err().contains("warning: checkpoint") && none.err().contains("no committed checkpoint"),
                "the skipped checkpoint is named, then the error: " + none.err());
        Files.createFile(checkpoint.resolve("COMMITTED"));
        try (RandomAccessFile f =
                new RandomAccessFile(checkpoint.resolve("model.safetensors").toFile(), "rw")) {
            f.setLength(f.length() - 100);
        }
        Result damaged = run("sample", "--checkpoint", checkpoint.toString(), "--prompt", "x");
        assertEquals(1, damaged.code(), damaged.err());
        assertTrue(damaged.err().contains("model.safetensors") && damaged.err().contains("truncated"), damaged.err());
    }

    @Test
    void promptRules() throws IOException {
        String cp = checkpoint.toString();
        assertUsageError(run("sample", "--checkpoint", cp, "--prompt", ""), "prompt is empty");
        assertUsageError(run("sample", "--checkpoint", cp, "--prompt", "x".repeat(65)), "65 tokens", "at most 64");
        // 64 bytes of UTF-8 fit the tiny model's context exactly, 22 three-byte characters do not
        assertEquals(
                0,
                run("sample", "--checkpoint", cp, "--prompt", "x".repeat(64), "--max-tokens", "1")
                        .code());
        assertUsageError(run("sample", "--checkpoint", cp, "--prompt", "\u6771".repeat(22)), "66 tokens");
        assertUsageError(run("sample", "--checkpoint", cp, "--prompt", "caf\uFFFD"), "U+FFFD", "--prompt-file");
        Path bad = dir.resolve("latin1.txt");
        Files.write(bad, new byte[] {'c', 'a', 'f', (byte) 0xE9, '!'});
        assertUsageError(
                run("sample", "--checkpoint", cp, "--prompt-file", bad.toString()), "byte 3", "not valid UTF-8");
        Path good = dir.resolve("prompt.txt");
        Files.writeString(good, "Grüße ");
        assertEquals(
                0,
                run("sample", "--checkpoint", cp, "--prompt-file", good.toString(), "--max-tokens", "3")
                        .code());
        assertEquals(
                2,
                run("sample", "--checkpoint", cp, "--prompt", "a", "--prompt-file", good.toString())
                        .code());
        assertEquals(2, run("sample", "--checkpoint", cp).code());
        assertUsageError(run("sample", "--checkpoint", cp, "--prompt", "a", "--temperature", "-1"), "--temperature");
        assertUsageError(run("sample", "--checkpoint", cp, "--prompt", "a", "--top-k", "-3"), "--top-k");
    }

    @Test
    void evaluateInputErrors() {
        String cp = checkpoint.toString();
        assertUsageError(
                run(
                        "evaluate",
                        "--checkpoint",
                        cp,
                        "--data",
                        dir.resolve("missing.txt").toString()),
                "missing.txt",
                "no such file");
        assertUsageError(
                run("evaluate", "--checkpoint", cp, "--data", "bundled", "--seq-len", "65"), "--seq-len 65", "2 to 64");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
