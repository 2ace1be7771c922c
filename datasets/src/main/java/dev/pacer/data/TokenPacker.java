package dev.pacer.data;

import java.util.Arrays;

/**
 * Packs documents into fixed-length sequences: each document's tokens followed by the
 * end-of-document token, concatenated, cut into non-overlapping sequences. Tokens that do not
 * fill a last sequence are counted, not hidden.
 */
public final class TokenPacker {

    private final int length;
    private final int endOfDocument;
    private char[] buffer = new char[1 << 16];
    private int size;
    private long documents;

    /** @param length tokens per packed sequence (model sequence length + 1) */
    public TokenPacker(int length, int endOfDocument) {
        if (length < 2) {
            throw new IllegalArgumentException("packed sequence length must be >= 2, got " + length);
        }
        this.length = length;
        this.endOfDocument = endOfDocument;
    }

    public void add(int[] documentTokens) {
        ensure(size + documentTokens.length + 1);
        for (int t : documentTokens) {
            if (t < 0 || t > Character.MAX_VALUE) {
                throw new IllegalArgumentException("token id " + t + " does not fit 16 bits");
            }
            buffer[size++] = (char) t;
        }
        buffer[size++] = (char) endOfDocument;
        documents++;
    }

    public TokenBlock build() {
        int whole = (size / length) * length;
        return new TokenBlock(Arrays.copyOf(buffer, whole), length, documents, size - whole);
    }

    private void ensure(int capacity) {
        if (capacity > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(capacity, buffer.length * 2));
        }
    }
}
