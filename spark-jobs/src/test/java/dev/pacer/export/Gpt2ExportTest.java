package dev.pacer.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.checkpoint.NamedTensor;
import dev.pacer.checkpoint.SafeTensors;
import dev.pacer.cli.PacerCli;
import dev.pacer.data.tokenize.TestTokenizers;
import dev.pacer.data.tokenize.TextTokenizer;
import dev.pacer.data.tokenize.TokenizerSpec;
import dev.pacer.engine.ModelReplica;
import dev.pacer.model.ParameterLayout;
import dev.pacer.run.ModelFixture;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The GPT-2 export against an independent reader: spark-jobs/src/test/python/verify_export.py
 * loaded exports of two deterministic tiny models, one trained with the byte tokenizer and one with
 * the tests' 300-merge byte-level BPE, into its own float64 GPT-2 forward pass (and its own BPE
 * encoder) and wrote golden/export-gpt2-tiny.json and golden/export-gpt2-bpe-tiny.json. This test
 * exports the same models (left in {@code <build dir>/export-fixture} and {@code export-fixture-bpe}
 * for regenerating the golden files), checks they are the same files, and compares Pacer's logits
 * and token ids with the golden ones.
 */
class Gpt2ExportTest {

    /** float32 (Pacer) against float64 (reference). */
    private static final double TOL = 1e-4;

    @TempDir
    static Path dir;

    /** One exported model and what the reference made of it. */
    private record Fixture(Path export, JsonNode golden, ParameterLayout layout, TokenizerSpec tokenizer) {}

    private static final Map<String, Fixture> FIXTURES = new LinkedHashMap<>();

    @BeforeAll
    static void exportFixtures() throws Exception {
        Path classes = Path.of(Gpt2ExportTest.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        Path bpeFile = TestTokenizers.writeTrainedBytePairEncoding(dir.resolve("bpe.json"));
        TokenizerSpec bpe = TokenizerSpec.resolve(bpeFile.toString(), "", new Configuration());
        ParameterLayout bpeLayout = ModelFixture.layout(bpe.vocabSize());
        FIXTURES.put(
                "byte",
                export(
                        ModelFixture.write(dir.resolve("run"), 100, ModelFixture.weights(), 64),
                        classes.getParent().resolve("export-fixture"),
                        "/golden/export-gpt2-tiny.json",
                        ModelFixture.LAYOUT,
                        TokenizerSpec.byteLevel()));
        FIXTURES.put(
                "bpe",
                export(
                        ModelFixture.write(dir.resolve("bpe-run"), 100, ModelFixture.weights(bpeLayout), 64, bpe),
                        classes.getParent().resolve("export-fixture-bpe"),
                        "/golden/export-gpt2-bpe-tiny.json",
                        bpeLayout,
                        bpe));
    }

    private static Fixture export(
            Path checkpoint, Path export, String golden, ParameterLayout layout, TokenizerSpec tokenizer)
            throws Exception {
        StringWriter err = new StringWriter();
        int code = PacerCli.run(
                new PrintWriter(err, true),
                "export",
                "--checkpoint",
                checkpoint.toString(),
                "--output",
                export.toString(),
                "--force");
        assertEquals(0, code, err.toString());
        try (InputStream in = Gpt2ExportTest.class.getResourceAsStream(golden)) {
            return new Fixture(export, new ObjectMapper().readTree(in), layout, tokenizer);
        }
    }

    /** GPT-2's tensor names and shapes for the tiny preset, written out from the GPT-2 definition. */
    private static Map<String, long[]> gpt2Tensors(long v) {
        long p = 64, d = 64;
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("wte.weight", new long[] {v, d});
        m.put("wpe.weight", new long[] {p, d});
        for (int i = 0; i < 2; i++) {
            String h = "h." + i + ".";
            m.put(h + "ln_1.weight", new long[] {d});
            m.put(h + "ln_1.bias", new long[] {d});
            m.put(h + "attn.c_attn.weight", new long[] {d, 3 * d});
            m.put(h + "attn.c_attn.bias", new long[] {3 * d});
            m.put(h + "attn.c_proj.weight", new long[] {d, d});
            m.put(h + "attn.c_proj.bias", new long[] {d});
            m.put(h + "ln_2.weight", new long[] {d});
            m.put(h + "ln_2.bias", new long[] {d});
            m.put(h + "mlp.c_fc.weight", new long[] {d, 4 * d});
            m.put(h + "mlp.c_fc.bias", new long[] {4 * d});
            m.put(h + "mlp.c_proj.weight", new long[] {4 * d, d});
            m.put(h + "mlp.c_proj.bias", new long[] {d});
        }
        m.put("ln_f.weight", new long[] {d});
        m.put("ln_f.bias", new long[] {d});
        return m;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @ParameterizedTest
    @ValueSource(strings = {"byte", "bpe"})
    void configHoldsTheGpt2Fields(String kind) throws Exception {
        Fixture f = FIXTURES.get(kind);
        JsonNode c =
                new ObjectMapper().readTree(f.export().resolve("config.json").toFile());
        assertEquals("gpt2", c.get("model_type").asText());
        assertEquals("GPT2LMHeadModel", c.get("architectures").get(0).asText());
        assertEquals(f.tokenizer().vocabSize(), c.get("vocab_size").asInt());
        assertEquals(
                kind.equals("byte") ? 257 : 256 + TestTokenizers.TRAINED_MERGES + 1,
                c.get("vocab_size").asInt());
        assertEquals(64, c.get("n_positions").asInt());
        assertEquals(64, c.get("n_embd").asInt());
        assertEquals(2, c.get("n_layer").asInt());
        assertEquals(4, c.get("n_head").asInt());
        assertEquals("gelu", c.get("activation_function").asText(), "exact erf GELU, as Pacer trains");
        assertEquals(1e-5, c.get("layer_norm_epsilon").asDouble());
        assertTrue(c.get("tie_word_embeddings").asBoolean());
        assertEquals(c.get("vocab_size").asInt() - 1, c.get("eos_token_id").asInt(), "<|endoftext|> is the last id");
        assertEquals(c.get("eos_token_id"), c.get("bos_token_id"));
        assertEquals(100, c.get("pacer").get("step").asLong());
        assertEquals("tiny", c.get("pacer").get("model_preset").asText());
        for (String field : new String[] {
            "vocab_size",
            "n_positions",
            "n_embd",
            "n_layer",
            "n_head",
            "activation_function",
            "layer_norm_epsilon",
            "eos_token_id"
        }) {
            assertEquals(f.golden().get("config").get(field), c.get(field), field);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"byte", "bpe"})
    void tensorsHaveGpt2NamesAndShapesAndAreTheGoldenFiles(String kind) throws Exception {
        Fixture f = FIXTURES.get(kind);
        byte[] file = Files.readAllBytes(f.export().resolve("model.safetensors"));
        assertEquals(
                f.golden().get("model_safetensors_sha256").asText(),
                sha256(file),
                "the export differs from the one the golden file was made from: regenerate it (verify_export.py)");
        assertEquals(
                f.golden().get("tokenizer_json_sha256").asText(),
                sha256(Files.readAllBytes(f.export().resolve("tokenizer.json"))),
                "the exported tokenizer.json differs from the golden file's: regenerate it (verify_export.py)");
        SafeTensors.Contents contents = SafeTensors.read(f.export().resolve("model.safetensors"));
        assertEquals("pt", contents.metadata().get("format"), "Hugging Face loaders need format=pt");
        Map<String, long[]> expected = gpt2Tensors(f.tokenizer().vocabSize());
        assertEquals(expected.keySet(), contents.names(), "GPT-2 names, no lm_head (tied)");
        for (NamedTensor t : contents.tensors()) {
            assertArrayEquals(expected.get(t.name()), t.shape(), t.name());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"byte", "bpe"})
    void pacerLogitsMatchTheIndependentGpt2ForwardOfTheExport(String kind) {
        Fixture f = FIXTURES.get(kind);
        int vocab = f.tokenizer().vocabSize();
        long[][] input = {goldenTokens(f).stream().mapToLong(Integer::longValue).toArray()};
        float[] logits;
        try (ModelReplica replica = new ModelReplica(f.layout(), Device.cpu())) {
            logits = replica.logits(ModelFixture.weights(f.layout()), input);
        }
        JsonNode rows = f.golden().get("logits");
        assertEquals(input[0].length, rows.size());
        for (int t = 0; t < rows.size(); t++) {
            for (int v = 0; v < vocab; v++) {
                double diff = Math.abs(rows.get(t).get(v).asDouble() - logits[t * vocab + v]);
                assertTrue(
                        diff <= TOL,
                        "position " + t + " token " + v + ": " + logits[t * vocab + v] + " vs "
                                + rows.get(t).get(v).asDouble());
            }
        }
    }

    private static List<Integer> goldenTokens(Fixture f) {
        List<Integer> tokens = new ArrayList<>();
        f.golden().get("tokens").forEach(t -> tokens.add(t.asInt()));
        return tokens;
    }

    /**
     * Pacer's tokenizer, the reference's encoder and Hugging Face's tokenizers library reading the
     * exported tokenizer.json all give the same ids for the fixed text.
     */
    @ParameterizedTest
    @ValueSource(strings = {"byte", "bpe"})
    void tokenizerJsonEncodesAsPacerDoesInHuggingFacesLibrary(String kind) throws Exception {
        Fixture f = FIXTURES.get(kind);
        String before = f.golden().get("text_before").asText();
        String after = f.golden().get("text_after").asText();
        TextTokenizer pacer = f.tokenizer().open();
        List<Integer> expected = new ArrayList<>();
        for (int id : pacer.encode(before)) {
            expected.add(id);
        }
        expected.add(pacer.endOfDocument());
        for (int id : pacer.encode(after)) {
            expected.add(id);
        }
        assertEquals(expected, goldenTokens(f), "the reference tokenized tokenizer.json as Pacer tokenizes");
        if (kind.equals("bpe")) {
            int bytes = (before + after).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            assertTrue(expected.size() < bytes, "merges applied: " + expected);
        }
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(
                f.export().resolve("tokenizer.json"), Map.of("addSpecialTokens", "false"))) {
            long[] ids = hf.encode(before + f.golden().get("end_of_text").asText() + after)
                    .getIds();
            List<Integer> got = new ArrayList<>();
            for (long id : ids) {
                got.add((int) id);
            }
            assertEquals(expected, got, "Hugging Face tokenizers reads tokenizer.json as Pacer's tokenizer");
            assertEquals(before + after, hf.decode(ids, true), "decoding drops the special token, keeps every byte");
        }
    }
}
