package dev.pacer.data.tokenize;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Text to token ids and back, as prepare, pretrain, evaluate, sample and export all use it.
 * Implementations are safe to share between threads.
 */
public interface TextTokenizer {

    int vocabSize();

    /** The id appended after every document. */
    int endOfDocument();

    /** Ids of {@code text}, without special tokens and without the end-of-document id. */
    int[] encode(String text);

    /** Text of {@code ids}. */
    String decode(int[] ids);

    /**
     * The bytes of text that token {@code id} stands for; empty for a special token. Exact for a
     * {@link #byteLevel()} tokenizer; otherwise the token's text decoded on its own.
     *
     * @throws IllegalArgumentException when {@code id} is outside the vocabulary
     */
    byte[] tokenBytes(int id);

    /** The name of special token {@code id} (such as {@code <|endoftext|>}), or null for text. */
    String specialToken(int id);

    /**
     * Whether every token stands for a fixed byte string, so that the ids' {@link #tokenBytes}
     * concatenated are exactly the text they encode (the byte tokenizer, byte-level BPE).
     */
    boolean byteLevel();

    /**
     * The bytes {@code ids} stand for, with each special token written as its name. Bytes are
     * concatenated before any decoding, so a character split across tokens comes out whole.
     */
    default byte[] render(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            String special = specialToken(id);
            out.writeBytes(special != null ? special.getBytes(StandardCharsets.UTF_8) : tokenBytes(id));
        }
        return out.toByteArray();
    }

    /** The message for an id outside {@code [0, vocabSize)}. */
    static IllegalArgumentException outside(int id, int vocabSize) {
        return new IllegalArgumentException(
                "token id " + id + " is outside the vocabulary 0.." + (vocabSize - 1) + " of the tokenizer");
    }
}
