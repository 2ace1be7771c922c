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
import java.util.LinkedHashMap;
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
 *   <li>the run's tokenizer as {@code transformers} loads it ({@link TokenizerFiles}).
 * </ul>
 *
 * Pacer's checkpoint tensors already use these names and layouts, so the weights are written as
 * they are; the export is a re-labelling, not a conversion.
 */
public final class Gpt2Export {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Gpt2Export() {}

    /**
     * Writes the export of {@code model} into {@code output} (any Hadoop file system), which must be
     * absent or empty unless {@code overwrite}.
     *
     * @return the qualified output directory and the files written there
     */
    public static Written write(TrainedModel model, String output, boolean overwrite, Configuration hadoop)
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
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("config.json", pretty(config(model)));
        files.put("model.safetensors", safetensors(model));
        files.putAll(
                TokenizerFiles.of(model.tokenizer(), model.layout().config().context()));
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            out.writeAll(new Path(dir, f.getKey()), f.getValue());
        }
        return new Written(dir, List.copyOf(files.keySet()));
    }

    /** Where an export went and which files it wrote. */
    public record Written(Path dir, List<String> files) {}

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
        model.tokenizer().info().writeTo(p.putObject("tokenizer"));
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

    static byte[] pretty(JsonNode n) throws IOException {
        return (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
