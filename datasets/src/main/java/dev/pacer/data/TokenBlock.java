package dev.pacer.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A partition's packed training or validation data: {@code count} sequences of
 * {@code length} tokens each (model sequence length + 1, inputs and shifted targets), stored
 * flat. Token ids are kept as {@code char} (16 bits), enough for vocabularies up to 65,536.
 */
public final class TokenBlock implements Serializable {

    private static final long serialVersionUID = 1L;

    private final char[] tokens;
    private final int length;
    private final long documents;
    private final long droppedTailTokens;

    public TokenBlock(char[] tokens, int length, long documents, long droppedTailTokens) {
        if (length < 2 || tokens.length % length != 0) {
            throw new IllegalArgumentException(
                    "token array of " + tokens.length + " is not a whole number of sequences of " + length);
        }
        this.tokens = tokens;
        this.length = length;
        this.documents = documents;
        this.droppedTailTokens = droppedTailTokens;
    }

    public int sequenceCount() {
        return tokens.length / length;
    }

    public int sequenceLength() {
        return length;
    }

    public long documents() {
        return documents;
    }

    /** Tokens at the end of the packed stream that did not fill a whole sequence. */
    public long droppedTailTokens() {
        return droppedTailTokens;
    }

    public long tokenCount() {
        return tokens.length;
    }

    public int[] sequence(int index) {
        int[] out = new int[length];
        int base = index * length;
        for (int i = 0; i < length; i++) {
            out[i] = tokens[base + i];
        }
        return out;
    }

    /** The first {@code n} sequences (fewer if the block is smaller): a fixed evaluation set. */
    public List<int[]> head(int n) {
        int k = Math.min(n, sequenceCount());
        List<int[]> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            out.add(sequence(i));
        }
        return out;
    }

    /**
     * {@code n} sequences drawn uniformly with replacement, deterministic in the seed, which the
     * caller derives from (run seed, step, partition).
     */
    public List<int[]> sample(long seed, int n) {
        if (sequenceCount() == 0) {
            throw new IllegalStateException("this partition holds no whole sequence to sample");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        List<int[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(sequence(rng.nextInt(sequenceCount())));
        }
        return out;
    }
}
