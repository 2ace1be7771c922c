package dev.pacer.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.checkpoint.NamedTensor;
import dev.pacer.checkpoint.SafeTensors;
import dev.pacer.config.ConfigError;
import dev.pacer.model.GptConfig;
import dev.pacer.model.TensorSpec;
import dev.pacer.run.RunStorage;
import dev.pacer.run.TrainedModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/**
 * Writes a trained model in the layout Hugging Face's GPT-2 code loads
 * ({@code GPT2LMHeadModel.from_pretrained(dir)}):
 *
 * <ul>
 *   <li>{@code config.json}: a {@code GPT2Config} ({@code model_type} gpt2, exact-erf
 *       {@code activation_function} "gelu", tied head, no dropout), plus a {@code pacer} block with
 *       the provenance of the checkpoint;
 *   <li>{@code model.safetensors}: float32 tensors under GPT-2's own names and shapes
 *       ({@code wte.weight}, {@code h.N.attn.c_attn.weight} in Conv1D (in, out) layout, ...), no
 *       {@code lm_head.weight} (tied to {@code wte.weight}), metadata {@code format: pt};
 *   <li>{@code tokenizer.json}, {@code tokenizer_config.json}, {@code special_tokens_map.json}:
 *       the tokenizer for Hugging Face's tokenizers library.
 * </ul>
 *
 * Pacer's checkpoint tensors already use these names and layouts, so the weights are written as
 * they are; the export is a re-labelling, not a conversion.
 */
public final class Gpt2Export {

    public static final List<String> FILES = List.of(
            "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json");

    private static final ObjectMapper JSON = new ObjectMapper();

    private Gpt2Export() {}

    /**
     * Writes the export of {@code model} into {@code output} (any Hadoop file system), which must be
     * absent or empty unless {@code overwrite}.
     *
     * @return the qualified output directory
     */
    public static Path write(TrainedModel model, String output, boolean overwrite, Configuration hadoop)
            throws IOException {
        RunStorage out = new RunStorage(output, hadoop);
        Path dir = out.root();
        if (out.exists(dir)) {
            FileStatus st = out.fs().getFileStatus(dir);
            if (!st.isDirectory()) {
                throw new ConfigError("--output " + output + " is a file; give a directory to export into");
            }
            if (out.fs().listStatus(dir).length > 0 && !overwrite) {
                throw new ConfigError("--output " + output + " is not empty; give a new directory, or --force to"
                        + " replace the export files in it");
            }
        }
        out.fs().mkdirs(dir);
        out.writeAll(new Path(dir, "model.safetensors"), safetensors(model));
        ObjectNode tokenizer = model.tokenizer().huggingFaceJson();
        out.writeAll(new Path(dir, "tokenizer.json"), pretty(tokenizer));
        String endToken = endOfDocumentContent(tokenizer, model.tokenizer().endOfDocument());
        out.writeAll(new Path(dir, "tokenizer_config.json"), pretty(tokenizerConfig(model, endToken)));
        out.writeAll(
                new Path(dir, "special_tokens_map.json"),
                pretty(JSON.createObjectNode()
                        .put("bos_token", endToken)
                        .put("eos_token", endToken)
                        .put("unk_token", endToken)));
        out.writeAll(new Path(dir, "config.json"), pretty(config(model)));
        return dir;
    }

    /** The weights as a safetensors file under GPT-2's names; deterministic bytes for given weights. */
    public static byte[] safetensors(TrainedModel model) throws IOException {
        List<NamedTensor> tensors = new ArrayList<>();
        for (TensorSpec t : model.layout().tensors()) {
            tensors.add(new NamedTensor(
                    t.name(), t.shape(), Arrays.copyOfRange(model.weights(), t.offset(), t.offset() + t.size())));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // Hugging Face's loader refuses a safetensors file whose metadata lacks format "pt"
        SafeTensors.write(bytes, tensors, Map.of("format", "pt"));
        return bytes.toByteArray();
    }

    /** A Hugging Face {@code GPT2Config} for the model's shape. */
    static ObjectNode config(TrainedModel model) {
        GptConfig c = model.layout().config();
        int end = model.tokenizer().endOfDocument();
        ObjectNode n = JSON.createObjectNode();
        n.putArray("architectures").add("GPT2LMHeadModel");
        n.put("model_type", "gpt2");
        n.put("vocab_size", c.vocab());
        n.put("n_positions", c.context());
        n.put("n_ctx", c.context());
        n.put("n_embd", c.width());
        n.put("n_layer", c.layers());
        n.put("n_head", c.heads());
        n.putNull("n_inner"); // 4 * n_embd, as Pacer's MLP
        // "gelu" is the exact erf form in transformers' ACT2FN, which Pacer trains with
        n.put("activation_function", "gelu");
        n.put("layer_norm_epsilon", c.eps());
        // Pacer trains without dropout
        n.put("resid_pdrop", 0.0);
        n.put("embd_pdrop", 0.0);
        n.put("attn_pdrop", 0.0);
        n.put("initializer_range", 0.02);
        n.put("scale_attn_weights", true);
        n.put("tie_word_embeddings", true);
        n.put("bos_token_id", end);
        n.put("eos_token_id", end);
        n.put("torch_dtype", "float32");
        n.put("use_cache", true);
        ObjectNode p = n.putObject("pacer");
        p.put("format", "pacer-gpt2-export-1");
        p.put("checkpoint", model.checkpoint());
        p.put("step", model.step());
        p.put("tokens", model.tokens());
        p.put("model_preset", model.preset().id());
        p.put("parameter_count", model.layout().totalSize());
        p.put("tokenizer", model.tokenizer().name());
        p.put("trained_seq_len", model.trainedSeqLen());
        for (String field : List.of("config_digest", "seed")) {
            JsonNode v = model.stateJson().get(field);
            if (v != null) {
                p.set(field, v);
            }
        }
        p.put("exported_at", Instant.now().toString());
        return n;
    }

    private static ObjectNode tokenizerConfig(TrainedModel model, String endToken) {
        ObjectNode n = JSON.createObjectNode();
        n.put("tokenizer_class", "PreTrainedTokenizerFast");
        n.put("bos_token", endToken);
        n.put("eos_token", endToken);
        n.put("unk_token", endToken);
        n.put("model_max_length", model.layout().config().context());
        n.put("add_prefix_space", false);
        n.put("clean_up_tokenization_spaces", false);
        return n;
    }

    private static String endOfDocumentContent(ObjectNode tokenizerJson, int id) {
        for (JsonNode t : tokenizerJson.path("added_tokens")) {
            if (t.path("id").asInt(-1) == id) {
                return t.path("content").asText();
            }
        }
        throw new IllegalStateException("tokenizer.json names no special token with the end-of-document id " + id);
    }

    private static byte[] pretty(JsonNode n) throws IOException {
        return (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
