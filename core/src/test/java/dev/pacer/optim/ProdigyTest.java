package dev.pacer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.config.ConfigError;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProdigyTest {

    private static Prodigy fromGolden(GoldenRun run) {
        var h = run.hyper();
        double beta3 = h.get("beta3").isNull() ? Double.NaN : h.get("beta3").asDouble();
        double growth = h.get("growth_rate").isTextual()
                ? Double.POSITIVE_INFINITY
                : h.get("growth_rate").asDouble();
        return new Prodigy(
                run.size(),
                run.hyper("beta1"),
                run.hyper("beta2"),
                beta3,
                run.hyper("eps"),
                run.hyper("d0"),
                run.hyper("d_coef"),
                growth,
                h.get("bias_correction").asBoolean(),
                h.get("safeguard_warmup").asBoolean());
    }

    private static void matches(String caseName) {
        GoldenRun run = GoldenRun.load(caseName);
        run.assertMatches(fromGolden(run), (t, opt, w) -> {
            double expected = run.node.get("d_after_step").get(t).asDouble();
            assertEquals(expected, ((Prodigy) opt).d(), 1e-6 * expected, "d after step " + (t + 1));
        });
    }

    @Test
    void officialDefaultsMatchTheReferenceTrajectory() {
        // d grows from d0 = 1e-6 to about 2e-4 over the 8 steps of a quadratic.
        matches("prodigy");
    }

    @Test
    void safeguardBiasCorrectionAndGrowthBoundMatchTheReferenceTrajectory() {
        // growth-rate 1.5 caps d's growth to x1.5 a step once it has left d0.
        matches("prodigy_safeguard");
    }

    @Test
    void theEstimateNeverDecreases() {
        GoldenRun run = GoldenRun.load("prodigy");
        Prodigy opt = fromGolden(run);
        float[] w = run.initialParams();
        double last = opt.d();
        for (int t = 0; t < run.steps(); t++) {
            // gradients of the opposite sign push the numerator down: d still may not fall
            float[] g = run.grads(t);
            for (int i = 0; i < g.length; i++) {
                g[i] = t % 2 == 0 ? g[i] : -g[i];
            }
            opt.step(w, g, run.slices(t));
            assertTrue(opt.d() >= last, "d fell at step " + (t + 1));
            last = opt.d();
        }
    }

    @Test
    void slicesWithLearningRateZeroAreUntouched() {
        GoldenRun run = GoldenRun.load("prodigy");
        Prodigy opt = fromGolden(run);
        float[] w = run.initialParams();
        for (int t = 0; t < 3; t++) {
            List<ParamSlice> s = run.slices(t);
            ParamSlice frozen = s.get(1);
            s = List.of(s.get(0), new ParamSlice(frozen.name(), frozen.offset(), frozen.length(), 0.0, 0.1));
            opt.step(w, run.grads(t), s);
        }
        float[] init = run.initialParams();
        for (int i = 12; i < 20; i++) {
            assertEquals(init[i], w[i], 0.0, "weight " + i);
            assertEquals(0f, opt.state().get("exp_avg")[i], "exp_avg " + i);
            assertEquals(0f, opt.state().get("s")[i], "s " + i);
        }
    }

    @Test
    void restoreContinuesBitIdenticallyWithItsScalars() {
        for (String c : new String[] {"prodigy", "prodigy_safeguard"}) {
            GoldenRun run = GoldenRun.load(c);
            for (int split : new int[] {2, 5}) {
                run.assertRestoreContinuesBitIdentically(() -> fromGolden(run), split);
            }
        }
    }

    @Test
    void scalarStateMustBeOneValue() {
        GoldenRun run = GoldenRun.load("prodigy");
        Prodigy opt = fromGolden(run);
        float[] w = run.initialParams();
        for (int t = 0; t < 4; t++) {
            opt.step(w, run.grads(t), run.slices(t));
        }
        Map<String, float[]> state = opt.state();
        float[] d = state.get("d");
        assertArrayEquals(d, opt.state().get("d"));
        assertEquals((float) opt.d(), d[7]);
        d[7] *= 2;
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> fromGolden(run).restore(state, 4));
        assertTrue(e.getMessage().contains("'d'"), e.getMessage());
    }

    @Test
    void validatesAndNames() {
        assertThrows(
                ConfigError.class,
                () -> new Prodigy(1, 0.9, 0.999, Double.NaN, 1e-8, 0, 1, Double.POSITIVE_INFINITY, false, true));
        assertThrows(ConfigError.class, () -> new Prodigy(1, 0.9, 0.999, Double.NaN, 1e-8, 1e-6, 1, 0.5, false, true));
        assertThrows(ConfigError.class, () -> new Prodigy(1, 0.9, 0.999, 1.0, 1e-8, 1e-6, 1, 2, false, true));
        assertEquals(
                "prodigy",
                new Prodigy(1, 0.9, 0.999, Double.NaN, 1e-8, 1e-6, 1, Double.POSITIVE_INFINITY, false, true).name());
    }
}
