package dev.pacer.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Token choice rules, without libtorch. */
class NextTokenSamplerTest {

    private static float[] randomLogits(long seed, int vocab) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] l = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            l[i] = (float) (r.nextGaussian() * 3);
        }
        return l;
    }

    @Test
    void greedyIsTheArgmaxAndTiesGoToTheLowestId() {
        float[] l = {0.5f, 2f, -1f, 2f, 1.9f};
        assertEquals(1, new NextTokenSampler(SamplingSettings.greedy()).next(l, 0, 5));
        assertEquals(1, new NextTokenSampler(new SamplingSettings(0.8, 1, 7)).next(l, 0, 5), "top-k 1 is greedy");
        float[] shifted = {9f, 9f, 0.5f, 2f, -1f, 2f, 1.9f};
        assertEquals(1, new NextTokenSampler(SamplingSettings.greedy()).next(shifted, 2, 5), "offset respected");
    }

    @Test
    void topKListsExactlyTheKLargest() {
        float[] l = randomLogits(3, 257);
        Integer[] order = IntStream.range(0, 257).boxed().toArray(Integer[]::new);
        Arrays.sort(order, (a, b) -> Float.compare(l[b], l[a]));
        for (int k : new int[] {1, 2, 5, 40, 257}) {
            int[] expected = Arrays.stream(order, 0, k)
                    .mapToInt(Integer::intValue)
                    .sorted()
                    .toArray();
            assertArrayEquals(expected, NextTokenSampler.topK(l, 0, 257, k), "k=" + k);
        }
        float[] ties = {1f, 3f, 3f, 3f, 0f};
        assertArrayEquals(new int[] {1, 2}, NextTokenSampler.topK(ties, 0, 5, 2));
    }

    @Test
    void topKNeverPicksOutsideTheTopK() {
        int vocab = 257;
        for (long s = 0; s < 20; s++) {
            float[] l = randomLogits(100 + s, vocab);
            for (int k : new int[] {2, 5, 17}) {
                int[] allowed = NextTokenSampler.topK(l, 0, vocab, k);
                // a high temperature flattens the distribution, so outsiders would show up if allowed
                NextTokenSampler sampler = new NextTokenSampler(new SamplingSettings(50.0, k, s));
                boolean[] seen = new boolean[vocab];
                for (int draw = 0; draw < 400; draw++) {
                    int t = sampler.next(l, 0, vocab);
                    assertTrue(Arrays.binarySearch(allowed, t) >= 0, "token " + t + " is not among the top " + k);
                    seen[t] = true;
                }
                for (int id : allowed) {
                    assertTrue(seen[id], "top-" + k + " token " + id + " never drawn at temperature 50");
                }
            }
        }
    }

    @Test
    void sameSeedSameDrawsOtherSeedOtherDraws() {
        float[] l = randomLogits(9, 257);
        int[] a = draws(new SamplingSettings(1.0, 0, 42), l, 200);
        int[] b = draws(new SamplingSettings(1.0, 0, 42), l, 200);
        int[] c = draws(new SamplingSettings(1.0, 0, 43), l, 200);
        assertArrayEquals(a, b);
        assertNotEquals(Arrays.toString(a), Arrays.toString(c));
    }

    @Test
    void drawsFollowTheSoftmaxOfLogitsOverTemperature() {
        float[] l = {0f, 1f, 2f};
        double t = 0.7;
        double z = Math.exp(0 / t) + Math.exp(1 / t) + Math.exp(2 / t);
        int n = 60_000;
        int[] counts = new int[3];
        for (int x : draws(new SamplingSettings(t, 0, 5), l, n)) {
            counts[x]++;
        }
        for (int i = 0; i < 3; i++) {
            double p = Math.exp(l[i] / t) / z;
            double sd = Math.sqrt(p * (1 - p) / n);
            assertEquals(p, counts[i] / (double) n, 5 * sd, "token " + i);
        }
    }

    @Test
    void badSettingsAndNonFiniteLogitsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SamplingSettings(-0.1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingSettings(Double.NaN, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingSettings(1, -1, 0));
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> new NextTokenSampler(SamplingSettings.greedy()).next(new float[] {0f, Float.NaN}, 0, 2));
        assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
    }

    private static int[] draws(SamplingSettings s, float[] logits, int n) {
        NextTokenSampler sampler = new NextTokenSampler(s);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = sampler.next(logits, 0, logits.length);
        }
        return out;
    }
}
