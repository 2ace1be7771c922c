package dev.pacer.run;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.data.ByteTokenizer;
import java.io.ByteArrayOutputStream;

/** The byte tokenizer: every UTF-8 byte is a token (ids 0-255), 256 ends a document. */
public final class ByteRunTokenizer implements RunTokenizer {

    /** The name Hugging Face tools know GPT-2's end-of-text token by. */
    public static final String END_OF_TEXT = "<|endoftext|>";

    private final ByteTokenizer bytes = new ByteTokenizer();

    @Override
    public String name() {
        return "byte";
    }

    @Override
    public int vocabSize() {
        return ByteTokenizer.VOCAB;
    }

    @Override
    public int endOfDocument() {
        return ByteTokenizer.END_OF_DOCUMENT;
    }

    /** Never refuses: as in training, every character is its UTF-8 bytes. */
    @Override
    public int[] encode(String text) {
        return bytes.encode(text);
    }

    @Override
    public byte[] decodeBytes(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length);
        for (int id : ids) {
            if (id == ByteTokenizer.END_OF_DOCUMENT) {
                out.write('\n');
            } else if (id >= 0 && id < 256) {
                out.write(id);
            } else {
                throw new IllegalArgumentException(
                        "token id " + id + " is outside the byte vocabulary 0.." + ByteTokenizer.END_OF_DOCUMENT);
            }
        }
        return out.toByteArray();
    }

    /**
     * A byte-level BPE with no merges: each byte is one token whose id is the byte's value,
     * spelled with GPT-2's byte-to-character table, and the end-of-document id is the special
     * token {@code <|endoftext|>}. Hugging Face's tokenizers library then encodes any text to
     * exactly the ids this tokenizer gives.
     */
    @Override
    public ObjectNode huggingFaceJson() {
        ObjectNode root = JsonLinesLog.row();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        added.addObject()
                .put("id", ByteTokenizer.END_OF_DOCUMENT)
                .put("content", END_OF_TEXT)
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
        int[] table = byteToCodePoint();
        for (int b = 0; b < 256; b++) {
            vocab.put(new String(Character.toChars(table[b])), b);
        }
        model.putArray("merges");
        return root;
    }

    private static ObjectNode byteLevel() {
        return JsonLinesLog.row()
                .put("type", "ByteLevel")
                .put("add_prefix_space", false)
                .put("trim_offsets", true)
                .put("use_regex", false);
    }

    /**
     * GPT-2's reversible byte-to-character table (Radford et al. 2019, the released encoder):
     * printable Latin-1 bytes stand for themselves, the other 68 bytes map in order to code
     * points from 256 up, so every byte is a visible character.
     */
    static int[] byteToCodePoint() {
        int[] table = new int[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? b : next++;
        }
        return table;
    }
}
