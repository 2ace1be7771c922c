package dev.pacer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** An elementwise update on several threads gives the one-thread result bit for bit. */
class OptimizerThreadsTest {

    /** Five tensors of uneven sizes (one larger than a thread's share), with their own rates and decay. */
    private static List<ParamSlice> slices() {
        int[] lengths = {70_001, 3, 150_000, 12_345, 40_000};
        List<ParamSlice> out = new ArrayList<>();
        int offset = 0;
        for (int k = 0; k < lengths.length; k++) {
            out.add(new ParamSlice(
                    "t" + k, offset, lengths[k], 1e-3 * (k + 1), k % 2 == 0 ? 0.1 : 0, new long[] {lengths[k]}));
            offset += lengths[k];
        }
        return out;
    }

    private static float[] random(int n, long seed, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (scale * r.nextGaussian());
        }
        return x;
    }

    @Test
    void everyOptimizerStepsAlikeOnOneTwoAndThreeThreads() {
        List<ParamSlice> slices = slices();
        int n = slices.get(slices.size() - 1).end();
        for (OptimizerSpec spec : Optimizers.REGISTERED) {
            float[][] results = new float[3][];
            for (int threads = 1; threads <= 3; threads++) {
                Optimizer opt = Optimizers.create(OptimizersTest.settings(spec.id()), n);
                opt.setThreads(threads);
                float[] w = random(n, 1, 0.02);
                for (int step = 0; step < 3; step++) {
                    opt.step(w, random(n, 100 + step, 1.0), slices);
                }
                results[threads - 1] = w;
            }
            assertArrayEquals(results[0], results[1], spec.id() + ": two threads");
            assertArrayEquals(results[0], results[2], spec.id() + ": three threads");
            assertTrue(java.util.Arrays.mismatch(results[0], random(n, 1, 0.02)) >= 0, spec.id() + " moved");
        }
    }

    @Test
    void rangesCoverEveryElementOnceInOrderInAboutEqualParts() {
        List<ParamSlice> slices = slices();
        int total = slices.get(slices.size() - 1).end();
        for (int n = 2; n <= 5; n++) {
            List<List<ParamSlice>> parts = ElementRanges.split(slices, n);
            assertEquals(n, parts.size(), n + " parts");
            int next = 0;
            for (List<ParamSlice> part : parts) {
                int count = 0;
                for (ParamSlice s : part) {
                    assertEquals(next, s.offset(), "contiguous");
                    next = s.end();
                    count += s.length();
                    ParamSlice whole = slices.stream()
                            .filter(w -> w.name().equals(s.name()))
                            .findFirst()
                            .orElseThrow();
                    assertEquals(whole.lr(), s.lr());
                    assertEquals(whole.weightDecay(), s.weightDecay());
                }
                assertTrue(Math.abs(count - total / (double) n) <= n, "part of " + count + " of " + total);
            }
            assertEquals(total, next, "every element");
        }
        assertEquals(
                1,
                ElementRanges.split(List.of(new ParamSlice("small", 0, 100, 1e-3, 0, null)), 4)
                        .size());
    }
}
