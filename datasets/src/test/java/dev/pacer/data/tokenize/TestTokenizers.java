package dev.pacer.data.tokenize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Small but complete Hugging Face tokenizer.json files, built here so that no tokenizer file
 * needs to be fetched: a byte-level BPE in GPT-2's layout (256 byte symbols, a few merges, then
 * {@code <|endoftext|>}), a BERT-style WordPiece and a SentencePiece-style Unigram.
 */
public final class TestTokenizers {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Merges of the test BPE, in priority order (GPT-2 spelling: Ġ is a space). */
    public static final List<String> MERGES = List.of(
            "Ġ t", "h e", "Ġt he", "i n", "a n", "e r", "o n", "Ġ a", "r e", "a t", "e n", "Ġ s", "o r", "e s", "Ġ d");

    private TestTokenizers() {}

    /** Byte-level BPE: 256 + MERGES.size() + 1 ids; the last is {@code <|endoftext|>}. */
    public static byte[] bytePairEncoding() {
        ObjectNode root = skeleton();
        int[] table = byteToCodePoint();
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "")
                .put("end_of_word_suffix", "")
                .put("fuse_unk", false)
                .put("byte_fallback", false)
                .put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int b = 0; b < 256; b++) {
            vocab.put(new String(Character.toChars(table[b])), b);
        }
        int id = 256;
        ArrayNode merges = model.putArray("merges");
        for (String m : MERGES) {
            merges.add(m);
            vocab.put(m.replace(" ", ""), id++);
        }
        addSpecial(root, id, "<|endoftext|>");
        ObjectNode byteLevel = JSON.createObjectNode()
                .put("type", "ByteLevel")
                .put("add_prefix_space", false)
                .put("trim_offsets", true)
                .put("use_regex", true);
        root.set("pre_tokenizer", byteLevel);
        root.set("decoder", byteLevel.deepCopy());
        return bytes(root);
    }

    /** BERT-style WordPiece: lower-cases, splits on punctuation; [UNK] for the rest. */
    public static byte[] wordPiece() {
        ObjectNode root = skeleton();
        addSpecial(root, 0, "[UNK]");
        addSpecial(root, 1, "[SEP]");
        root.set(
                "normalizer",
                JSON.createObjectNode()
                        .put("type", "BertNormalizer")
                        .put("clean_text", true)
                        .put("handle_chinese_chars", true)
                        .putNull("strip_accents")
                        .put("lowercase", true));
        root.set("pre_tokenizer", JSON.createObjectNode().put("type", "BertPreTokenizer"));
        root.set(
                "decoder",
                JSON.createObjectNode()
                        .put("type", "WordPiece")
                        .put("prefix", "##")
                        .put("cleanup", true));
        ObjectNode model = root.putObject("model");
        model.put("type", "WordPiece")
                .put("unk_token", "[UNK]")
                .put("continuing_subword_prefix", "##")
                .put("max_input_chars_per_word", 100);
        ObjectNode vocab = model.putObject("vocab");
        String[] words = {"[UNK]", "[SEP]", "the", "a", "house", "parliament", "##s", "vote", ".", ",", "in", "of"};
        for (int i = 0; i < words.length; i++) {
            vocab.put(words[i], i);
        }
        return bytes(root);
    }

    /** SentencePiece-style Unigram over lower-case letters and a few pieces; id 1 is {@code </s>}. */
    public static byte[] unigram() {
        ObjectNode root = skeleton();
        addSpecial(root, 0, "<unk>");
        addSpecial(root, 1, "</s>");
        ObjectNode meta = JSON.createObjectNode()
                .put("type", "Metaspace")
                .put("replacement", "\u2581")
                .put("prepend_scheme", "always")
                .put("split", true);
        root.set("pre_tokenizer", meta);
        root.set("decoder", meta.deepCopy());
        ObjectNode model = root.putObject("model");
        model.put("type", "Unigram").put("unk_id", 0).put("byte_fallback", false);
        ArrayNode vocab = model.putArray("vocab");
        vocab.addArray().add("<unk>").add(0.0);
        vocab.addArray().add("</s>").add(0.0);
        vocab.addArray().add("\u2581").add(-2.0);
        vocab.addArray().add("\u2581the").add(-3.0);
        vocab.addArray().add("\u2581vote").add(-4.0);
        for (char c = 'a'; c <= 'z'; c++) {
            vocab.addArray().add(String.valueOf(c)).add(-5.0);
        }
        return bytes(root);
    }

    /** A tokenizer.json with {@code n} vocabulary entries (to test the 16-bit limit). */
    public static byte[] wordLevel(int n) {
        ObjectNode root = skeleton();
        addSpecial(root, 0, "</s>");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel").put("unk_token", "</s>");
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < n; i++) {
            vocab.put(i == 0 ? "</s>" : "w" + i, i);
        }
        root.set("pre_tokenizer", JSON.createObjectNode().put("type", "Whitespace"));
        return bytes(root);
    }

    private static ObjectNode skeleton() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0").putNull("truncation");
        root.putNull("padding");
        root.putArray("added_tokens");
        root.putNull("normalizer");
        root.putNull("pre_tokenizer");
        root.putNull("post_processor");
        root.putNull("decoder");
        return root;
    }

    private static void addSpecial(ObjectNode root, int id, String content) {
        ((ArrayNode) root.get("added_tokens"))
                .addObject()
                .put("id", id)
                .put("content", content)
                .put("single_word", false)
                .put("lstrip", false)
                .put("rstrip", false)
                .put("normalized", false)
                .put("special", true);
    }

    /** GPT-2's reversible byte-to-character table: printable Latin-1 stays, the rest maps from 256 up. */
    static int[] byteToCodePoint() {
        int[] table = new int[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? b : next++;
        }
        return table;
    }

    private static byte[] bytes(ObjectNode root) {
        try {
            return JSON.writeValueAsBytes(root);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
