package dev.pacer.data.tokenize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.data.BundledCorpus;
import dev.pacer.data.LineDocuments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Small but complete Hugging Face tokenizer.json files, built here so that no tokenizer file
 * needs to be fetched: byte-level BPEs in GPT-2's layout (256 byte symbols, merges, then
 * {@code <|endoftext|>}): one with 15 fixed merges and one with 300 merges learnt from the bundled
 * corpus; a BERT-style WordPiece and a SentencePiece-style Unigram.
 */
public final class TestTokenizers {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Merges of the test BPE, in priority order (GPT-2 spelling: Ġ is a space). */
    public static final List<String> MERGES = List.of(
            "Ġ t", "h e", "Ġt he", "i n", "a n", "e r", "o n", "Ġ a", "r e", "a t", "e n", "Ġ s", "o r", "e s", "Ġ d");

    /** Merges of {@link #trainedBytePairEncoding()}. */
    public static final int TRAINED_MERGES = 300;

    /** Documents of the bundled corpus the trained BPE learns its merges from. */
    private static final int TRAINING_DOCUMENTS = 200;

    private static byte[] trained;

    private TestTokenizers() {}

    /**
     * A byte-level BPE in GPT-2's exact layout, learnt here (no file to fetch): the 256 byte
     * symbols numbered as GPT-2 numbers them (the printable bytes first, then the others),
     * {@value #TRAINED_MERGES} merges learnt from the first documents of the bundled corpus (most
     * frequent adjacent pair first, ties to the smaller pair), each new token numbered in merge
     * order, then {@code <|endoftext|>} as the last id. Deterministic; built once per JVM.
     */
    public static synchronized byte[] trainedBytePairEncoding() {
        if (trained == null) {
            List<String> docs = new ArrayList<>();
            try (var in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(BundledCorpus.open(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine();
                        line != null && docs.size() < TRAINING_DOCUMENTS;
                        line = in.readLine()) {
                    if (!line.isBlank()) {
                        docs.add(LineDocuments.toDocument(line));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            trained = BytePairLearner.learn(docs, TRAINED_MERGES);
        }
        return trained.clone();
    }

    /** Writes {@link #trainedBytePairEncoding()} to {@code file}; returns it. */
    public static Path writeTrainedBytePairEncoding(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        return Files.write(file, trainedBytePairEncoding());
    }

    /** A byte-level BPE tokenizer.json in GPT-2's layout: {@code <|endoftext|>} after the vocabulary. */
    static byte[] byteLevelBpe(Map<String, Integer> vocab, List<String> merges) {
        ObjectNode root = skeleton();
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "")
                .put("end_of_word_suffix", "")
                .put("fuse_unk", false)
                .put("byte_fallback", false)
                .put("ignore_merges", false);
        ObjectNode v = model.putObject("vocab");
        vocab.forEach(v::put);
        ArrayNode m = model.putArray("merges");
        merges.forEach(m::add);
        addSpecial(root, vocab.size(), "<|endoftext|>");
        ObjectNode byteLevel = JSON.createObjectNode()
                .put("type", "ByteLevel")
                .put("add_prefix_space", false)
                .put("trim_offsets", true)
                .put("use_regex", true);
        root.set("pre_tokenizer", byteLevel);
        root.set("decoder", byteLevel.deepCopy());
        return bytes(root);
    }

    /** Byte-level BPE: 256 + MERGES.size() + 1 ids, byte b is id b; the last is {@code <|endoftext|>}. */
    public static byte[] bytePairEncoding() {
        int[] table = byteToCodePoint();
        Map<String, Integer> vocab = new java.util.LinkedHashMap<>();
        for (int b = 0; b < 256; b++) {
            vocab.put(new String(Character.toChars(table[b])), b);
        }
        for (String m : MERGES) {
            vocab.put(m.replace(" ", ""), vocab.size());
        }
        return byteLevelBpe(vocab, MERGES);
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

    /**
     * The bytes each id of a byte-level BPE tokenizer.json stands for, read here from its vocabulary
     * with this class's own byte table (each character of a token spells one byte); special tokens
     * map to their name in angle brackets as given. For checks independent of Pacer's decoding.
     */
    public static Map<Integer, byte[]> bytesOfIds(byte[] tokenizerJson) {
        int[] table = byteToCodePoint();
        Map<Integer, Integer> byteOf = new HashMap<>();
        for (int b = 0; b < 256; b++) {
            byteOf.put(table[b], b);
        }
        Map<Integer, byte[]> out = new HashMap<>();
        try {
            com.fasterxml.jackson.databind.JsonNode root = JSON.readTree(tokenizerJson);
            root.path("model").path("vocab").fields().forEachRemaining(e -> {
                String token = e.getKey();
                byte[] bytes = new byte[token.codePointCount(0, token.length())];
                int i = 0;
                for (int cp : token.codePoints().toArray()) {
                    bytes[i++] = (byte) (int) byteOf.get(cp);
                }
                out.put(e.getValue().asInt(), bytes);
            });
            for (com.fasterxml.jackson.databind.JsonNode t : root.path("added_tokens")) {
                out.put(t.path("id").asInt(), t.path("content").asText().getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** GPT-2's reversible byte-to-character table: printable Latin-1 stays, the rest maps from 256 up. */
    public static int[] byteToCodePoint() {
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
