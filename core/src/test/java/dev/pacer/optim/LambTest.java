package dev.pacer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pacer.config.ConfigError;
import java.util.List;
import org.junit.jupiter.api.Test;

class LambTest {

    private static Lamb fromGolden(GoldenRun run) {
        return new Lamb(run.size(), new AdamTerms(run.hyper("beta1"), run.hyper("beta2"), run.hyper("eps"), 0));
    }

    @Test
    void matchesTheReferenceTrajectoryAndTrustRatios() {
        GoldenRun run = GoldenRun.load("lamb");
        run.assertMatches(fromGolden(run), (t, opt, w) -> {
            // lastTrustRatio is the last slice's ("vector")
            double expected = run.node.get("trust_ratios").get(t).get(1).asDouble();
            assertEquals(expected, ((Lamb) opt).lastTrustRatio(), 1e-6 * expected, "trust ratio, step " + (t + 1));
        });
    }

    @Test
    void stepIsTheAdamDirectionScaledToTheWeightNorm() {
        // First step: m / bc1 = g, sqrt(v / bc2) = |g|, so r = g / (|g| + eps) ~ sign(g); u = r + wd p.
        // The step lr * tau * u has norm lr * ||p||: the trust ratio tau = ||p|| / ||u||.
        Lamb opt = new Lamb(3, new AdamTerms(0.9, 0.999, 1e-6, 0));
        float[] w = {3f, 0f, 4f}; // ||p|| = 5
        float[] g = {2f, -1e-3f, 7f};
        double wd = 0.1;
        double[] u = new double[3];
        double uSq = 0;
        for (int i = 0; i < 3; i++) {
            u[i] = g[i] / (Math.abs(g[i]) + 1e-6) + wd * w[i];
            uSq += u[i] * u[i];
        }
        double tau = 5 / Math.sqrt(uSq);
        float[] before = w.clone();
        opt.step(w, g, List.of(new ParamSlice("m", 0, 3, 0.01, wd)));
        assertEquals(tau, opt.lastTrustRatio(), 1e-7 * tau); // the moments are stored in float32
        double stepSq = 0;
        for (int i = 0; i < 3; i++) {
            assertEquals(before[i] - 0.01 * tau * u[i], w[i], 1e-6, "element " + i);
            stepSq += (w[i] - before[i]) * (w[i] - before[i]);
        }
        assertEquals(0.01 * 5, Math.sqrt(stepSq), 1e-6, "the step's norm is lr * ||p||");
    }

    @Test
    void trustRatioIsOneForZeroWeights() {
        Lamb opt = new Lamb(2, new AdamTerms(0.9, 0.999, 1e-6, 0));
        float[] w = {0f, 0f};
        opt.step(w, new float[] {1f, -1f}, List.of(new ParamSlice("bias", 0, 2, 0.01, 0.0)));
        assertEquals(1.0, opt.lastTrustRatio());
        assertEquals(-0.01 / (1 + 1e-6), w[0], 1e-9); // the plain Adam step: r = g / (|g| + eps)
        assertEquals(0.01 / (1 + 1e-6), w[1], 1e-9);
    }

    @Test
    void restoreContinuesBitIdentically() {
        GoldenRun run = GoldenRun.load("lamb");
        run.assertRestoreContinuesBitIdentically(() -> fromGolden(run), 3);
    }

    @Test
    void validatesAndNames() {
        assertThrows(ConfigError.class, () -> new Lamb(1, new AdamTerms(-0.1, 0.999, 1e-6, 0)));
        assertThrows(ConfigError.class, () -> new Lamb(1, new AdamTerms(0.9, 0.999, Double.NaN, 0)));
        assertEquals("lamb", new Lamb(1, new AdamTerms(0.9, 0.999, 1e-6, 0)).name());
    }
}
