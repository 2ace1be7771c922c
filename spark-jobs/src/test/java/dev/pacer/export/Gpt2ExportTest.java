package dev.pacer.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.checkpoint.NamedTensor;
import dev.pacer.checkpoint.SafeTensors;
import dev.pacer.cli.PacerCli;
import dev.pacer.data.ByteTokenizer;
import dev.pacer.engine.ModelReplica;
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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPT-2 export against an independent reader: spark-jobs/src/test/python/verify_export.py
 * loaded an export of this deterministic tiny model into its own float64 GPT-2 forward pass and
 * wrote golden/export-gpt2-tiny.json. This test exports the same model (left in
 * {@code <build dir>/export-fixture} for regenerating the golden file), checks it is the same
 * file, and compares Pacer's logits with the golden ones.
 */
class Gpt2ExportTest {

    /** float32 (Pacer) against float64 (reference). */
    private static final double TOL = 1e-4;

    @TempDir
    static Path dir;

    private static Path export;
    private static JsonNode golden;

    @BeforeAll
    static void exportFixture() throws Exception {
        Path checkpoint = ModelFixture.write(dir.resolve("run"), 100, ModelFixture.weights(), 64);
        Path classes = Path.of(Gpt2ExportTest.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        export = classes.getParent().resolve("export-fixture");
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
        try (InputStream in = Gpt2ExportTest.class.getResourceAsStream("/golden/export-gpt2-tiny.json")) {
            golden = new ObjectMapper().readTree(in);
        }
    }

    /** GPT-2's tensor names and shapes for the tiny preset, written out from the GPT-2 definition. */
    private static Map<String, long[]> gpt2Tensors() {
        long v = 257, p = 64, d = 64;
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

    @Test
    void configHoldsTheGpt2Fields() throws Exception {
        JsonNode c = new ObjectMapper().readTree(export.resolve("config.json").toFile());
        assertEquals("gpt2", c.get("model_type").asText());
        assertEquals("GPT2LMHeadModel", c.get("architectures").get(0).asText());
        assertEquals(257, c.get("vocab_size").asInt());
        assertEquals(64, c.get("n_positions").asInt());
        assertEquals(64, c.get("n_embd").asInt());
        assertEquals(2, c.get("n_layer").asInt());
        assertEquals(4, c.get("n_head").asInt());
        assertEquals("gelu", c.get("activation_function").asText(), "exact erf GELU, as Pacer trains");
        assertEquals(1e-5, c.get("layer_norm_epsilon").asDouble());
        assertTrue(c.get("tie_word_embeddings").asBoolean());
        assertEquals(256, c.get("eos_token_id").asInt());
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
            assertEquals(golden.get("config").get(field), c.get(field), field);
        }
    }

    @Test
    void tensorsHaveGpt2NamesAndShapesAndAreTheGoldenFile() throws Exception {
        byte[] file = Files.readAllBytes(export.resolve("model.safetensors"));
        assertEquals(
                golden.get("model_safetensors_sha256").asText(),
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file)),
                "the export differs from the one the golden file was made from: regenerate it (verify_export.py)");
        SafeTensors.Contents contents = SafeTensors.read(export.resolve("model.safetensors"));
        assertEquals("pt", contents.metadata().get("format"), "Hugging Face loaders need format=pt");
        Map<String, long[]> expected = gpt2Tensors();
        assertEquals(expected.keySet(), contents.names(), "GPT-2 names, no lm_head (tied)");
        for (NamedTensor t : contents.tensors()) {
            assertArrayEquals(expected.get(t.name()), t.shape(), t.name());
        }
    }

    @Test
    void pacerLogitsMatchTheIndependentGpt2ForwardOfTheExport() {
        List<Integer> tokens = new ArrayList<>();
        golden.get("tokens").forEach(t -> tokens.add(t.asInt()));
        long[][] input = {tokens.stream().mapToLong(Integer::longValue).toArray()};
        float[] logits;
        try (ModelReplica replica = new ModelReplica(ModelFixture.LAYOUT, Device.cpu())) {
            logits = replica.logits(ModelFixture.weights(), input);
        }
        JsonNode rows = golden.get("logits");
        assertEquals(tokens.size(), rows.size());
        for (int t = 0; t < rows.size(); t++) {
            for (int v = 0; v < 257; v++) {
                double diff = Math.abs(rows.get(t).get(v).asDouble() - logits[t * 257 + v]);
                assertTrue(
                        diff <= TOL,
                        "position " + t + " token " + v + ": " + logits[t * 257 + v] + " vs "
                                + rows.get(t).get(v).asDouble());
            }
        }
    }

    @Test
    void tokenizerJsonEncodesAsPacerDoesInHuggingFacesLibrary() throws Exception {
        String before = golden.get("text_before").asText();
        String after = golden.get("text_after").asText();
        ByteTokenizer pacer = new ByteTokenizer();
        List<Integer> expected = new ArrayList<>();
        for (int id : pacer.encode(before)) {
            expected.add(id);
        }
        expected.add(pacer.endOfDocument());
        for (int id : pacer.encode(after)) {
            expected.add(id);
        }
        List<Integer> goldenTokens = new ArrayList<>();
        golden.get("tokens").forEach(t -> goldenTokens.add(t.asInt()));
        assertEquals(expected, goldenTokens, "the reference tokenized tokenizer.json as Pacer tokenizes");

        // Hugging Face's Rust tokenizers (DJL's binding, on the classpath through the datasets
        // module) reading tokenizer.json; called reflectively so this file compiles without it
        Class<?> hfClass;
        try {
            hfClass = Class.forName("ai.djl.huggingface.tokenizers.HuggingFaceTokenizer");
        } catch (ClassNotFoundException e) {
            Assumptions.abort("ai.djl.huggingface:tokenizers is not on the test classpath");
            return;
        }
        try (AutoCloseable hf = (AutoCloseable) hfClass.getMethod("newInstance", Path.class, Map.class)
                .invoke(null, export.resolve("tokenizer.json"), Map.of("addSpecialTokens", "false"))) {
            Object encoding = hfClass.getMethod("encode", String.class)
                    .invoke(hf, before + golden.get("end_of_text").asText() + after);
            long[] ids = (long[]) encoding.getClass().getMethod("getIds").invoke(encoding);
            List<Integer> got = new ArrayList<>();
            for (long id : ids) {
                got.add((int) id);
            }
            assertEquals(expected, got, "Hugging Face tokenizers reads tokenizer.json as Pacer's byte tokenizer");
            String decoded = (String)
                    hfClass.getMethod("decode", long[].class, boolean.class).invoke(hf, ids, true);
            assertEquals(before + after, decoded, "decoding drops the special token, keeps every byte");
        }
        assertFalse(Files.readString(export.resolve("tokenizer_config.json")).isEmpty());
    }
}
