package dev.pacer.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from a row of logits: greedy (argmax), or a draw from the softmax of
 * {@code logits / temperature} restricted to the {@code top-k} most likely tokens. One random
 * number is drawn per sampled token from a generator seeded once, so a sequence of calls is
 * reproducible from the seed. Plain Java: no libtorch needed.
 */
public final class NextTokenSampler {

    private final SamplingSettings settings;
    private final SplittableRandom rng;

    public NextTokenSampler(SamplingSettings settings) {
        this.settings = settings;
        this.rng = new SplittableRandom(settings.seed());
    }

    public SamplingSettings settings() {
        return settings;
    }

    /** The next token id, from {@code logits[offset .. offset + vocab)}. */
    public int next(float[] logits, int offset, int vocab) {
        checkFinite(logits, offset, vocab);
        if (settings.isGreedy()) {
            return argmax(logits, offset, vocab);
        }
        int[] candidates = settings.topK() == 0 || settings.topK() >= vocab
                ? allIds(vocab)
                : topK(logits, offset, vocab, settings.topK());
        double max = Double.NEGATIVE_INFINITY;
        for (int id : candidates) {
            max = Math.max(max, logits[offset + id]);
        }
        // softmax weights relative to the largest logit, so exp never overflows
        double[] weight = new double[candidates.length];
        double total = 0;
        for (int i = 0; i < candidates.length; i++) {
            weight[i] = Math.exp((logits[offset + candidates[i]] - max) / settings.temperature());
            total += weight[i];
        }
        double u = rng.nextDouble() * total;
        for (int i = 0; i < candidates.length; i++) {
            u -= weight[i];
            if (u < 0) {
                return candidates[i];
            }
        }
        // rounding left u a hair above 0: the last candidate with any weight
        for (int i = candidates.length - 1; i >= 0; i--) {
            if (weight[i] > 0) {
                return candidates[i];
            }
        }
        return candidates[0];
    }

    /** Index of the largest logit; ties go to the lowest id. */
    public static int argmax(float[] logits, int offset, int vocab) {
        int best = 0;
        for (int i = 1; i < vocab; i++) {
            if (logits[offset + i] > logits[offset + best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * The ids of the {@code k} largest logits, in ascending id order. At the boundary, equal
     * logits are taken by ascending id until there are exactly {@code k}.
     */
    public static int[] topK(float[] logits, int offset, int vocab, int k) {
        if (k <= 0 || k > vocab) {
            throw new IllegalArgumentException("k must be in 1.." + vocab + ", got " + k);
        }
        float[] sorted = Arrays.copyOfRange(logits, offset, offset + vocab);
        Arrays.sort(sorted);
        float threshold = sorted[vocab - k];
        int above = 0;
        for (int i = 0; i < vocab; i++) {
            if (logits[offset + i] > threshold) {
                above++;
            }
        }
        int tiesWanted = k - above;
        int[] out = new int[k];
        int n = 0;
        for (int i = 0; i < vocab; i++) {
            float l = logits[offset + i];
            if (l > threshold) {
                out[n++] = i;
            } else if (l == threshold && tiesWanted > 0) {
                out[n++] = i;
                tiesWanted--;
            }
        }
        return out;
    }

    private static int[] allIds(int vocab) {
        int[] ids = new int[vocab];
        for (int i = 0; i < vocab; i++) {
            ids[i] = i;
        }
        return ids;
    }

    private static void checkFinite(float[] logits, int offset, int vocab) {
        for (int i = 0; i < vocab; i++) {
            if (!Float.isFinite(logits[offset + i])) {
                throw new IllegalStateException("the model produced a non-finite logit (" + logits[offset + i]
                        + " for token " + i + "): the weights are damaged or diverged");
            }
        }
    }
}
