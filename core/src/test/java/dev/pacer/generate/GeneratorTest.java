package dev.pacer.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.pacer.engine.ModelReplica;
import dev.pacer.model.GptConfig;
import dev.pacer.model.ParameterLayout;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generation against {@link ModelReplica}'s logits (the training forward pass, loaded another
 * way): greedy picks their argmax, top-k stays inside their k largest, seeds reproduce.
 */
class GeneratorTest {

    private static final int VOCAB = 257;
    private static ParameterLayout layout;
    private static float[] weights;
    private static Generator generator;
    private static ModelReplica replica;

    @BeforeAll
    static void setUp() {
        layout = new ParameterLayout(new GptConfig(VOCAB, 12, 32, 2, 4, 1e-5));
        weights = layout.initialWeights(11);
        // larger than the GPT-2 init so the distribution is far from uniform and argmax is clear
        for (int i = 0; i < weights.length; i++) {
            weights[i] *= 10;
        }
        generator = new Generator(layout, weights, Device.cpu());
        replica = new ModelReplica(layout, Device.cpu());
    }

    @AfterAll
    static void tearDown() {
        generator.close();
        replica.close();
    }

    /** Replica logits at the last position of {@code window}. */
    private static float[] replicaNext(int[] window) {
        long[][] in = {Arrays.stream(window).asLongStream().toArray()};
        float[] all = replica.logits(weights, in);
        return Arrays.copyOfRange(all, (window.length - 1) * VOCAB, window.length * VOCAB);
    }

    @Test
    void nextTokenLogitsMatchTheReplica() {
        int[] window = {72, 101, 108, 108, 111};
        assertArrayEquals(replicaNext(window), generator.nextTokenLogits(window), 1e-5f);
    }

    @Test
    void greedyFollowsTheArgmaxOfTheReplicaPastTheContext() {
        int[] prompt = {80, 97, 99, 101, 114};
        int steps = 20; // longer than the context of 12: the window slides
        int[] out = generator.continuation(prompt, steps, new NextTokenSampler(SamplingSettings.greedy()), -1);
        assertEquals(steps, out.length);
        int[] all = new int[prompt.length + steps];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(out, 0, all, prompt.length, steps);
        for (int n = 0; n < steps; n++) {
            int end = prompt.length + n;
            int[] window = Arrays.copyOfRange(all, Math.max(0, end - 12), end);
            assertEquals(NextTokenSampler.argmax(replicaNext(window), 0, VOCAB), out[n], "token " + n);
        }
    }

    @Test
    void seededSamplingIsReproducibleAndTopKStaysInside() {
        int[] prompt = {1, 2, 3};
        SamplingSettings s = new SamplingSettings(1.5, 4, 99);
        int[] a = generator.continuation(prompt, 15, new NextTokenSampler(s), -1);
        int[] b = generator.continuation(prompt, 15, new NextTokenSampler(s), -1);
        int[] c = generator.continuation(prompt, 15, new NextTokenSampler(new SamplingSettings(1.5, 4, 100)), -1);
        assertArrayEquals(a, b);
        assertNotEquals(Arrays.toString(a), Arrays.toString(c));
        int[] all = new int[prompt.length + a.length];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(a, 0, all, prompt.length, a.length);
        for (int n = 0; n < a.length; n++) {
            int end = prompt.length + n;
            int[] top = NextTokenSampler.topK(
                    replicaNext(Arrays.copyOfRange(all, Math.max(0, end - 12), end)), 0, VOCAB, 4);
            assertTrue(
                    Arrays.binarySearch(top, a[n]) >= 0,
                    "token " + n + " = " + a[n] + " not in " + Arrays.toString(top));
        }
    }

    @Test
    void stopsAtTheStopTokenWithoutEmittingIt() {
        int[] prompt = {5, 6};
        int[] greedy = generator.continuation(prompt, 6, new NextTokenSampler(SamplingSettings.greedy()), -1);
        int[] stopped = generator.continuation(prompt, 6, new NextTokenSampler(SamplingSettings.greedy()), greedy[2]);
        int firstStop = 0;
        while (greedy[firstStop] != greedy[2]) {
            firstStop++;
        }
        assertArrayEquals(Arrays.copyOf(greedy, firstStop), stopped);
    }

    @Test
    void emptyOrTooLongPromptsAreRefused() {
        NextTokenSampler g = new NextTokenSampler(SamplingSettings.greedy());
        assertThrows(IllegalArgumentException.class, () -> generator.continuation(new int[0], 3, g, -1));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> generator.continuation(new int[13], 3, g, -1));
        assertTrue(e.getMessage().contains("13") && e.getMessage().contains("12"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> generator.nextTokenLogits(new int[] {VOCAB}));
    }
}
