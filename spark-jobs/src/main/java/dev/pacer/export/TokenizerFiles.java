package dev.pacer.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.data.tokenize.TokenizerSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run's tokenizer as Hugging Face's {@code transformers} loads it from an exported directory:
 *
 * <ul>
 *   <li>{@code tokenizer.json}: the run's tokenizer.json byte for byte (for the byte tokenizer, an
 *       equivalent byte-level BPE without merges), read by {@code PreTrainedTokenizerFast} and the
 *       tokenizers library;
 *   <li>{@code tokenizer_config.json}: {@code GPT2TokenizerFast} for a byte-level BPE (GPT-2's own
 *       class), else {@code PreTrainedTokenizerFast}; the end-of-document token as bos and eos,
 *       {@code model_max_length} the model's context;
 *   <li>{@code special_tokens_map.json}: the same special tokens;
 *   <li>for a byte-level BPE also {@code vocab.json} and {@code merges.txt}, the two files GPT-2's
 *       slow {@code GPT2Tokenizer} reads.
 * </ul>
 */
final class TokenizerFiles {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerFiles() {}

    /** File name to bytes, in writing order. */
    static Map<String, byte[]> of(TokenizerSpec spec, int context) {
        byte[] file = spec.huggingFaceJson();
        JsonNode root;
        try {
            root = JSON.readTree(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the run's tokenizer parsed when it was loaded
        }
        boolean gpt2Style = spec.open().byteLevel();
        String end = endOfDocumentName(spec, root);
        JsonNode unkNode = root.path("model").path("unk_token");
        String unk = unkNode.isTextual() ? unkNode.asText() : end;
        Map<String, byte[]> out = new LinkedHashMap<>();
        out.put("tokenizer.json", file);
        ObjectNode config = JSON.createObjectNode()
                .put("tokenizer_class", gpt2Style ? "GPT2TokenizerFast" : "PreTrainedTokenizerFast")
                .put("bos_token", end)
                .put("eos_token", end)
                .put("unk_token", unk)
                .put("model_max_length", context)
                .put("add_prefix_space", false)
                .put("clean_up_tokenization_spaces", false);
        out.put("tokenizer_config.json", pretty(config));
        out.put(
                "special_tokens_map.json",
                pretty(JSON.createObjectNode()
                        .put("bos_token", end)
                        .put("eos_token", end)
                        .put("unk_token", unk)));
        if (gpt2Style) {
            out.put("vocab.json", pretty(vocabulary(root)));
            out.put("merges.txt", merges(root));
        }
        return out;
    }

    /** The end-of-document token's text: GPT-2's name for the byte tokenizer's id 256. */
    private static String endOfDocumentName(TokenizerSpec spec, JsonNode root) {
        for (JsonNode t : root.path("added_tokens")) {
            if (t.path("id").asInt(-1) == spec.endOfDocument()) {
                return t.path("content").asText();
            }
        }
        return spec.endOfDocumentToken();
    }

    /** GPT-2's vocab.json: the BPE vocabulary and the added tokens it lacks, token to id. */
    private static ObjectNode vocabulary(JsonNode root) {
        ObjectNode vocab = root.path("model").path("vocab").deepCopy();
        for (JsonNode t : root.path("added_tokens")) {
            if (!vocab.has(t.path("content").asText())) {
                vocab.put(t.path("content").asText(), t.path("id").asInt());
            }
        }
        return vocab;
    }

    /** GPT-2's merges.txt: a version line, then one "a b" pair a line in priority order. */
    private static byte[] merges(JsonNode root) {
        StringBuilder sb = new StringBuilder("#version: 0.2\n");
        for (Iterator<JsonNode> it = root.path("model").path("merges").elements(); it.hasNext(); ) {
            JsonNode m = it.next();
            // tokenizers writes a merge as "a b", or since 0.20 as ["a", "b"]
            sb.append(m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText())
                    .append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] pretty(JsonNode n) {
        try {
            return Gpt2Export.pretty(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
