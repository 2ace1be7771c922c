package dev.pacer.data.tokenize;

import java.io.Serializable;
import java.util.List;

/**
 * How many bytes of text each id stands for, the denominator of bits per byte: a token's
 * {@link TextTokenizer#tokenBytes} length; the end-of-document token 1 (the line break that ends
 * a document in a one-document-a-line file, as the byte tokenizer has always counted it); any other
 * special token 0. Exact only for a {@link TextTokenizer#byteLevel()} tokenizer.
 */
public final class TokenByteCounts implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int[] counts;

    private TokenByteCounts(int[] counts) {
        this.counts = counts;
    }

    public static TokenByteCounts of(TextTokenizer tokenizer) {
        int[] counts = new int[tokenizer.vocabSize()];
        for (int id = 0; id < counts.length; id++) {
            counts[id] = id == tokenizer.endOfDocument()
                    ? 1
                    : tokenizer.specialToken(id) != null ? 0 : tokenizer.tokenBytes(id).length;
        }
        return new TokenByteCounts(counts);
    }

    public int of(int id) {
        return counts[id];
    }

    /** Bytes of the target tokens of packed sequences: every token but each sequence's first. */
    public long targets(List<int[]> sequences) {
        long bytes = 0;
        for (int[] s : sequences) {
            for (int i = 1; i < s.length; i++) {
                bytes += counts[s[i]];
            }
        }
        return bytes;
    }
}
