package dev.pacer.data.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * What each id of a {@code tokenizer.json} stands for: the special tokens by name, and for a
 * byte-level BPE (a BPE model with a ByteLevel decoder whose vocabulary is spelled in GPT-2's
 * byte alphabet) the exact bytes of every token. Other tokenizers get no byte table: their
 * decoders add or drop spaces around tokens, so a token alone has no fixed bytes.
 */
final class TokenTable {

    private final String[] special;
    private final byte[][] bytes;

    private TokenTable(String[] special, byte[][] bytes) {
        this.special = special;
        this.bytes = bytes;
    }

    static TokenTable of(JsonNode root, int vocabSize) {
        String[] special = new String[vocabSize];
        byte[][] bytes = isByteLevel(root) ? new byte[vocabSize][] : null;
        JsonNode vocab = root.path("model").path("vocab");
        if (bytes != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                byte[] b = ByteLevelAlphabet.bytes(e.getKey());
                if (b == null) {
                    bytes = null; // a token outside the byte alphabet: not byte-level after all
                    break;
                }
                bytes[e.getValue().asInt()] = b;
            }
        }
        for (JsonNode t : root.path("added_tokens")) {
            int id = t.path("id").asInt();
            String content = t.path("content").asText();
            if (t.path("special").asBoolean(false)) {
                special[id] = content;
            } else if (bytes != null) {
                bytes[id] = content.getBytes(StandardCharsets.UTF_8); // matched literally in text
            }
        }
        return new TokenTable(special, bytes);
    }

    private static boolean isByteLevel(JsonNode root) {
        if (!"BPE".equals(root.path("model").path("type").asText())
                || !root.path("model").path("vocab").isObject()) {
            return false;
        }
        JsonNode decoder = root.path("decoder");
        if ("ByteLevel".equals(decoder.path("type").asText())) {
            return true;
        }
        for (JsonNode d : decoder.path("decoders")) {
            if ("ByteLevel".equals(d.path("type").asText())) {
                return true;
            }
        }
        return false;
    }

    boolean byteLevel() {
        return bytes != null;
    }

    /** Name of special token {@code id}, or null. */
    String special(int id) {
        return special[id];
    }

    /** Exact bytes of {@code id} for a byte-level table; null for an id no entry names, or without a table. */
    byte[] bytes(int id) {
        return bytes == null ? null : bytes[id];
    }
}
