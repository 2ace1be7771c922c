package dev.pacer.data.tokenize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.data.ByteTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The byte tokenizer written as a Hugging Face {@code tokenizer.json}: a byte-level BPE with no
 * merges whose vocabulary spells byte b with GPT-2's byte-to-character table and gives it id b, and
 * the end-of-document id 256 as the special token {@code <|endoftext|>}. Hugging Face's tokenizers
 * library then encodes any text to exactly the ids {@link ByteTokenizer} gives.
 */
final class ByteTokenizerJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ByteTokenizerJson() {}

    static byte[] bytes() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        root.putArray("added_tokens")
                .addObject()
                .put("id", ByteTokenizer.END_OF_DOCUMENT)
                .put("content", ByteTokenizer.END_OF_TEXT)
                .put("single_word", false)
                .put("lstrip", false)
                .put("rstrip", false)
                .put("normalized", false)
                .put("special", true);
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel());
        root.putNull("post_processor");
        root.set("decoder", byteLevel());
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int b = 0; b < 256; b++) {
            vocab.put(new String(Character.toChars(ByteLevelAlphabet.codePoint(b))), b);
        }
        model.putArray("merges");
        try {
            return (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode byteLevel() {
        return JSON.createObjectNode()
                .put("type", "ByteLevel")
                .put("add_prefix_space", false)
                .put("trim_offsets", true)
                .put("use_regex", false);
    }
}
