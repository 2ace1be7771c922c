package dev.pacer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pacer.config.ConfigError;
import java.util.List;
import org.junit.jupiter.api.Test;

class LionTest {

    private static Lion fromGolden(GoldenRun run) {
        return new Lion(run.size(), run.hyper("beta1"), run.hyper("beta2"));
    }

    @Test
    void matchesTheReferenceTrajectory() {
        GoldenRun run = GoldenRun.load("lion");
        run.assertMatches(fromGolden(run), null);
    }

    @Test
    void everyElementMovesByExactlyTheLearningRate() {
        // Without decay, |delta p| = lr for every element with a non-zero gradient, whatever its scale.
        Lion opt = new Lion(5, 0.9, 0.99);
        float[] w = {0.5f, -0.25f, 0.125f, 1f, 0f};
        double lr = 0.0078125; // a power of two, so that p - lr is exact in float32
        float[] g = {1e-7f, -3e4f, 2f, -0.001f, 0f};
        for (int t = 0; t < 4; t++) {
            float[] before = w.clone();
            opt.step(w, g, List.of(new ParamSlice("p", 0, 5, lr, 0.0)));
            for (int i = 0; i < 4; i++) {
                assertEquals(lr, Math.abs(w[i] - before[i]), 0.0, "element " + i + " step " + t);
            }
            assertEquals(0f, w[4], "zero gradient, zero momentum: sign 0, no step");
        }
    }

    @Test
    void decayIsDecoupledAndTheSignFollowsTheInterpolation() {
        // m = 0.5 after one step of g = 5 (beta2 0.9); then g = -1: c = 0.5 * 0.5 + 0.5 * (-1) < 0 -> +lr,
        // although m > 0. Decay first: p = 2 * (1 - 0.1 * 0.5) + 0.1.
        Lion opt = new Lion(1, 0.5, 0.9);
        float[] w = {2f};
        List<ParamSlice> s = List.of(new ParamSlice("p", 0, 1, 0.1, 0.5));
        opt.step(w, new float[] {5f}, s);
        assertEquals(2 * 0.95 - 0.1, w[0], 1e-6);
        assertEquals(0.5, opt.state().get("exp_avg")[0], 1e-7);
        float before = w[0];
        opt.step(w, new float[] {-1f}, s);
        assertEquals(before * 0.95 + 0.1, w[0], 1e-6);
    }

    @Test
    void restoreContinuesBitIdentically() {
        GoldenRun run = GoldenRun.load("lion");
        run.assertRestoreContinuesBitIdentically(() -> fromGolden(run), 3);
    }

    @Test
    void validatesAndNames() {
        assertThrows(ConfigError.class, () -> new Lion(1, 1.0, 0.99));
        assertThrows(ConfigError.class, () -> new Lion(1, 0.9, -0.1));
        assertEquals("lion", new Lion(1, 0.9, 0.99).name());
    }
}
