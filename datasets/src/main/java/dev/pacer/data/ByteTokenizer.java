package dev.pacer.data;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The default tokenizer: one token per UTF-8 byte (ids 0-255) plus an end-of-document token
 * (id 256). Needs no files and round-trips any text exactly.
 */
public final class ByteTokenizer implements dev.pacer.data.tokenize.TextTokenizer {

    public static final int VOCAB = 257;
    public static final int END_OF_DOCUMENT = 256;

    /** The end-of-document token's name, as GPT-2 and Hugging Face tools know it. */
    public static final String END_OF_TEXT = "<|endoftext|>";

    @Override
    public int vocabSize() {
        return VOCAB;
    }

    @Override
    public int endOfDocument() {
        return END_OF_DOCUMENT;
    }

    /** Token ids of {@code text}'s UTF-8 bytes, without the end-of-document token. */
    @Override
    public int[] encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = bytes[i] & 0xFF;
        }
        return ids;
    }

    /** Text of {@code ids}; end-of-document tokens become newlines. */
    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length);
        for (int id : ids) {
            if (id == END_OF_DOCUMENT) {
                out.write('\n');
            } else if (id >= 0 && id < 256) {
                out.write(id);
            } else {
                throw new IllegalArgumentException(
                        "token id " + id + " is outside the byte vocabulary 0.." + END_OF_DOCUMENT);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] tokenBytes(int id) {
        if (id < 0 || id > END_OF_DOCUMENT) {
            throw dev.pacer.data.tokenize.TextTokenizer.outside(id, VOCAB);
        }
        return id == END_OF_DOCUMENT ? new byte[0] : new byte[] {(byte) id};
    }

    @Override
    public String specialToken(int id) {
        return id == END_OF_DOCUMENT ? END_OF_TEXT : null;
    }

    @Override
    public boolean byteLevel() {
        return true;
    }
}
