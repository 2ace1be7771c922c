package dev.pacer.cli;

import static dev.pacer.cli.CliRun.assertUsageError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.cli.CliRun.Result;
import dev.pacer.data.tokenize.TestTokenizers;
import dev.pacer.data.tokenize.TokenizerSpec;
import dev.pacer.generate.Generator;
import dev.pacer.generate.NextTokenSampler;
import dev.pacer.generate.SamplingSettings;
import dev.pacer.model.ParameterLayout;
import dev.pacer.model.TensorSpec;
import dev.pacer.run.ModelFixture;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * evaluate, sample and export of a run trained with a GPT-2 style byte-level BPE (the tests' 300-merge
 * tokenizer): decoding, bits per byte, the exported tokenizer files, and a missing, changed or
 * mismatched tokenizer refused in one line.
 */
class BpeModelCommandsTest {

    @TempDir
    Path dir;

    private TokenizerSpec tokenizer;
    private ParameterLayout layout;
    private Path runDir;
    private Path checkpoint;

    @BeforeEach
    void writeRun() throws Exception {
        Path file = TestTokenizers.writeTrainedBytePairEncoding(dir.resolve("source/bpe.json"));
        tokenizer = TokenizerSpec.resolve(file.toString(), "", new Configuration());
        layout = ModelFixture.layout(tokenizer.vocabSize());
        runDir = dir.resolve("run");
        checkpoint = ModelFixture.write(runDir, 40, ModelFixture.weights(layout), 32, tokenizer);
        Files.delete(file); // the run carries its own copy
    }

    /** The bytes the ids stand for, decoded here from the tokenizer.json; special tokens by name. */
    private byte[] expectedText(int[] ids) {
        Map<Integer, byte[]> bytes = TestTokenizers.bytesOfIds(tokenizer.jsonBytes());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) {
            out.writeBytes(bytes.get(id));
        }
        return out.toByteArray();
    }

    @Test
    void greedySampleJoinsTheBytesOfCharactersSplitAcrossTokens() {
        String prompt = "Grüße aus Köln, 東京 ";
        int[] promptIds = tokenizer.open().encode(prompt);
        assertArrayEquals(prompt.getBytes(StandardCharsets.UTF_8), expectedText(promptIds));
        Result r = CliRun.run(
                "sample",
                "--checkpoint",
                checkpoint.toString(),
                "--prompt",
                prompt,
                "--greedy",
                "--max-tokens",
                "24",
                "--past-end");
        assertEquals(0, r.code(), r.err());
        int[] expected;
        try (Generator g = new Generator(layout, ModelFixture.weights(layout), Device.cpu())) {
            expected = g.continuation(promptIds, 24, new NextTokenSampler(SamplingSettings.greedy()), -1);
        }
        byte[] text = expectedText(expected);
        byte[] withNewline = java.util.Arrays.copyOf(text, text.length + 1);
        withNewline[text.length] = '\n';
        assertArrayEquals(withNewline, r.bytes());
    }

    @Test
    void seededSamplingRepeatsAndDiffersBetweenSeeds() {
        String[] base = {
            "sample",
            "--checkpoint",
            runDir.toString(),
            "--prompt",
            "Mr President, ",
            "--max-tokens",
            "12",
            "--temperature",
            "1.5",
            "--past-end"
        };
        Result a = CliRun.run(concat(base, "--seed", "5"));
        Result b = CliRun.run(concat(base, "--seed", "5"));
        Result c = CliRun.run(concat(base, "--seed", "6"));
        assertEquals(0, a.code(), a.err());
        assertArrayEquals(a.bytes(), b.bytes());
        assertNotEquals(a.out(), c.out());
    }

    /**
     * With the final LayerNorm's gain zeroed every position's output is its bias b, and with the
     * end-of-text embedding set to 100·b that token's logit (100·|b|²) is far above all others.
     */
    @Test
    void endOfTextStopsTheSampleOrIsShownByName() throws Exception {
        float[] w = ModelFixture.weights(layout);
        TensorSpec gain = tensor("ln_f.weight");
        TensorSpec bias = tensor("ln_f.bias");
        TensorSpec wte = tensor("wte.weight");
        int width = layout.config().width();
        int eod = tokenizer.endOfDocument();
        for (int i = 0; i < width; i++) {
            w[gain.offset() + i] = 0;
            w[wte.offset() + eod * width + i] = 100 * w[bias.offset() + i];
        }
        Path run = dir.resolve("eot");
        Path cp = ModelFixture.write(run, 1, w, 32, tokenizer);
        Result stop = CliRun.run("sample", "--checkpoint", cp.toString(), "--prompt", "The vote", "--greedy");
        assertEquals(0, stop.code(), stop.err());
        assertEquals("\n", stop.out(), "stops at the end of text, which is not printed");
        Result past = CliRun.run(
                "sample",
                "--checkpoint",
                cp.toString(),
                "--prompt",
                "The vote",
                "--greedy",
                "--past-end",
                "--max-tokens",
                "3");
        assertEquals("<|endoftext|><|endoftext|><|endoftext|>\n", past.out());
    }

    private TensorSpec tensor(String name) {
        return layout.tensors().stream()
                .filter(t -> t.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void evaluateCountsTheExactBytesOfTheScoredTokens() throws Exception {
        Path data = dir.resolve("docs.txt");
        Files.writeString(
                data,
                "Die Sitzung wird um 15.00 Uhr eröffnet. Grüße an alle Kolleginnen.\n"
                        + "Mr President, I would like to thank the rapporteur for her excellent work.\n");
        Result r = CliRun.run("evaluate", "--checkpoint", checkpoint.toString(), "--data", data.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertTrue(j.get("bytes_exact").asBoolean());
        assertTrue(j.get("bytes_per_token").asDouble() > 1.5, "merges make tokens of several bytes: " + j);
        assertEquals(
                j.get("loss").asDouble()
                        / Math.log(2)
                        / j.get("bytes_per_token").asDouble(),
                j.get("bits_per_byte").asDouble(),
                1e-9);
        assertTrue(j.get("tokenizer").asText().contains(tokenizer.sha256().substring(0, 12)), j.toString());
    }

    @Test
    void exportCarriesTheRunsTokenizerAndGpt2sFiles() throws Exception {
        Path out = dir.resolve("export");
        Result r = CliRun.run("export", "--checkpoint", checkpoint.toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(tokenizer.jsonBytes(), Files.readAllBytes(out.resolve("tokenizer.json")));
        ObjectMapper json = new ObjectMapper();
        JsonNode config = json.readTree(out.resolve("config.json").toFile());
        int eod = tokenizer.endOfDocument();
        assertEquals(tokenizer.vocabSize(), config.get("vocab_size").asInt());
        assertEquals(eod, config.get("eos_token_id").asInt());
        assertEquals(eod, config.get("bos_token_id").asInt());
        assertEquals(
                tokenizer.sha256(),
                config.path("pacer").path("tokenizer").path("sha256").asText());
        JsonNode tc = json.readTree(out.resolve("tokenizer_config.json").toFile());
        assertEquals("GPT2TokenizerFast", tc.get("tokenizer_class").asText());
        assertEquals("<|endoftext|>", tc.get("eos_token").asText());
        JsonNode vocab = json.readTree(out.resolve("vocab.json").toFile());
        assertEquals(tokenizer.vocabSize(), vocab.size());
        assertEquals(eod, vocab.get("<|endoftext|>").asInt());
        JsonNode model = json.readTree(tokenizer.jsonBytes()).get("model");
        String merges = Files.readString(out.resolve("merges.txt"));
        assertTrue(
                merges.startsWith("#version: 0.2\n" + model.get("merges").get(0).asText() + "\n"), merges);
        assertEquals(TestTokenizers.TRAINED_MERGES + 1, merges.lines().count());
    }

    @Test
    void aMissingTokenizerCopyIsNamedWithTheCheckpointsRecord() throws Exception {
        Files.delete(runDir.resolve("tokenizer.json"));
        for (String[] command : new String[][] {
            {"evaluate", "--checkpoint", runDir.toString(), "--data", "bundled"},
            {"sample", "--checkpoint", runDir.toString(), "--prompt", "x"},
            {
                "export",
                "--checkpoint",
                runDir.toString(),
                "--output",
                dir.resolve("o").toString()
            }
        }) {
            assertUsageError(
                    CliRun.run(command),
                    checkpoint.getFileName().toString(),
                    "tokenizer.json",
                    "do not exist",
                    tokenizer.sha256());
        }
        // a checkpoint is self-describing: with the copy put next to it, it reads again
        Files.write(checkpoint.resolve("tokenizer.json"), tokenizer.jsonBytes());
        assertEquals(
                0,
                CliRun.run("sample", "--checkpoint", checkpoint.toString(), "--prompt", "x", "--max-tokens", "2")
                        .code());
    }

    @Test
    void aChangedTokenizerCopyIsRefusedNamingBothChecksums() throws Exception {
        byte[] other = TestTokenizers.bytePairEncoding();
        Files.write(runDir.resolve("tokenizer.json"), other);
        assertUsageError(
                CliRun.run("sample", "--checkpoint", runDir.toString(), "--prompt", "x"),
                TokenizerSpec.sha256(other).substring(0, 12),
                tokenizer.sha256().substring(0, 12),
                "recorded as");
    }

    /** A checkpoint from before tokenizer records: the run's settings name a tokenizer of another size. */
    @Test
    void aTokenizerOfAnotherSizeThanTheEmbeddingIsRefused() throws Exception {
        Path old = dir.resolve("old");
        Path cp = ModelFixture.write(old, 5, ModelFixture.weights(), 32); // 257 embedding rows, byte settings
        Path file = Files.write(dir.resolve("bpe-again.json"), tokenizer.jsonBytes());
        String state = Files.readString(cp.resolve("state.json"));
        Files.writeString(
                cp.resolve("state.json"),
                state.replaceFirst("\\{", "{\"parameter_count\": " + ModelFixture.LAYOUT.totalSize() + ","));
        Files.writeString(
                old.resolve("config.json"),
                Files.readString(old.resolve("config.json"))
                        .replace("\"tokenizer\":\"byte\"", "\"tokenizer\":\"" + file + "\""));
        Result r = CliRun.run("evaluate", "--checkpoint", old.toString(), "--data", "bundled");
        assertEquals(2, r.code(), r.err());
        java.util.List<String> lines = r.err().strip().lines().toList();
        assertEquals(2, lines.size(), "the warning, then the error: " + r.err());
        assertTrue(lines.get(0).contains("records no tokenizer") && lines.get(0).contains(file.toString()), r.err());
        for (String f : new String[] {tokenizer.vocabSize() + " ids", "embedding of 257 rows", cp.toString()}) {
            assertTrue(lines.get(1).contains(f), "'" + f + "' not in: " + r.err());
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
