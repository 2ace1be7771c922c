package dev.pacer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.config.ConfigError;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {

    // ---- Golden comparison against torch.optim.AdamW (core/src/test/python/make_adamw_golden.py) ----
    // The inputs below mirror the formulas of the script; see its docstring.

    private static final int N = 20;
    private static final int DECAY_OFFSET = 0;
    private static final int DECAY_LENGTH = 12;
    private static final int NO_DECAY_OFFSET = 12;
    private static final int NO_DECAY_LENGTH = 8;
    private static final double WD_DECAY = 0.1;
    private static final double WD_NO_DECAY = 0.0;
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.95;
    private static final double EPS = 1e-8;
    private static final int STEPS = 6;

    /**
     * Tolerances against torch. Torch rounds to float32 after every elementary operation while this
     * implementation rounds once per stored value, so the two differ by a few float32 ulps of the quantities
     * involved (observed: params 2.2e-8 absolute, state 1.5e-8 of the scale below); algorithmic mistakes
     * (coupled decay, missing bias correction, eps placement) move the values by 1e-4 or more.
     *
     * <ul>
     *   <li>params: |actual - expected| <= 1e-6 * |expected| + 1e-7;</li>
     *   <li>exp_avg: |actual - expected| <= 1e-6 * (|expected| + max_t |g_t[i]|), and for exp_avg_sq the same
     *       with max_t g_t[i]^2: a moving average of terms of alternating sign can cancel, so the error is
     *       bounded relative to the terms summed, not to the result. Tiny-gradient entries (1e-9) thus keep
     *       a tolerance of order 1e-15.</li>
     * </ul>
     */
    private static final double RTOL = 1e-6;

    private static final double PARAM_ATOL = 1e-7;

    static double initialParam(int i) {
        return 0.1 * Math.sin(i + 1);
    }

    static double grad(int t, int i) {
        switch (i) {
            case 3:
                return 5.0 * (t + 1) * Math.pow(-1.0, t);
            case 7:
                return 1e-9 * Math.cos(t);
            case 11:
                return 0.0;
            case 15:
                return 20.0 * Math.cos(t);
            case 18:
                return 3e-10 * (t + 1);
            default:
                return 0.01 * Math.cos(0.5 * i + t) * (t + 1);
        }
    }

    static double lrDecay(int t) {
        return 0.05 * (0.5 + 0.1 * t);
    }

    static double lrNoDecay(int t) {
        return 0.003 * (1.0 - 0.1 * t);
    }

    static float[] initialParams() {
        float[] p = new float[N];
        for (int i = 0; i < N; i++) {
            p[i] = (float) initialParam(i);
        }
        return p;
    }

    static float[] grads(int t) {
        float[] g = new float[N];
        for (int i = 0; i < N; i++) {
            g[i] = (float) grad(t, i);
        }
        return g;
    }

    static List<ParamSlice> slices(int t) {
        return List.of(
                new ParamSlice("decay", DECAY_OFFSET, DECAY_LENGTH, lrDecay(t), WD_DECAY),
                new ParamSlice("no_decay", NO_DECAY_OFFSET, NO_DECAY_LENGTH, lrNoDecay(t), WD_NO_DECAY));
    }

    private static JsonNode golden() throws IOException {
        try (InputStream in = AdamWTest.class.getResourceAsStream("/golden/adamw.json")) {
            assertTrue(in != null, "golden/adamw.json missing from test resources");
            return new ObjectMapper().readTree(in);
        }
    }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }

    private static void assertClose(float[] expected, float[] actual, double[] scale, double atol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            double tol = RTOL * (Math.abs(e) + scale[i]) + atol;
            assertTrue(
                    Math.abs(a - e) <= tol,
                    what + "[" + i + "]: expected " + e + " but was " + a + " (|diff| " + Math.abs(a - e) + " > tol "
                            + tol + ")");
        }
    }

    @Test
    void goldenSetupMatchesTheScript() throws IOException {
        JsonNode g = golden();
        assertEquals(N, g.get("size").asInt());
        assertEquals(STEPS, g.get("steps").asInt());
        assertEquals(BETA1, g.get("betas").get(0).asDouble());
        assertEquals(BETA2, g.get("betas").get(1).asDouble());
        assertEquals(EPS, g.get("eps").asDouble());
        JsonNode groups = g.get("groups");
        assertEquals(DECAY_OFFSET, groups.get(0).get("offset").asInt());
        assertEquals(DECAY_LENGTH, groups.get(0).get("length").asInt());
        assertEquals(WD_DECAY, groups.get(0).get("weight_decay").asDouble());
        assertEquals(NO_DECAY_OFFSET, groups.get(1).get("offset").asInt());
        assertEquals(NO_DECAY_LENGTH, groups.get(1).get("length").asInt());
        assertEquals(WD_NO_DECAY, groups.get(1).get("weight_decay").asDouble());
        // The recomputed inputs must be exactly those torch saw.
        assertArrayEquals(floats(g.get("initial_params")), initialParams(), "initial params");
        for (int t = 0; t < STEPS; t++) {
            assertArrayEquals(floats(g.get("grads").get(t)), grads(t), "grads of step " + t);
            assertEquals(g.get("lr").get(t).get(0).asDouble(), lrDecay(t), "lr decay step " + t);
            assertEquals(g.get("lr").get(t).get(1).asDouble(), lrNoDecay(t), "lr no_decay step " + t);
        }
    }

    @Test
    void matchesTorchAdamW() throws IOException {
        JsonNode g = golden();
        AdamW opt = new AdamW(N, BETA1, BETA2, EPS);
        float[] w = initialParams();
        for (int t = 0; t < STEPS; t++) {
            opt.step(w, grads(t), slices(t));
            assertClose(
                    floats(g.get("params_after_step").get(t)), w, new double[N], PARAM_ATOL, "params after step " + t);
        }
        assertEquals(STEPS, opt.stepCount());
        double[] gradScale = new double[N];
        double[] gradSqScale = new double[N];
        for (int t = 0; t < STEPS; t++) {
            float[] gt = grads(t);
            for (int i = 0; i < N; i++) {
                gradScale[i] = Math.max(gradScale[i], Math.abs((double) gt[i]));
                gradSqScale[i] = Math.max(gradSqScale[i], (double) gt[i] * gt[i]);
            }
        }
        Map<String, float[]> state = opt.state();
        assertClose(floats(g.get("exp_avg")), state.get("exp_avg"), gradScale, 0.0, "exp_avg");
        assertClose(floats(g.get("exp_avg_sq")), state.get("exp_avg_sq"), gradSqScale, 0.0, "exp_avg_sq");
    }

    // ---- Hand-computed cases ----

    @Test
    void firstStepByHand() {
        // t = 1: m = 0.1 * g, v = 0.05 * g^2 (betas 0.9, 0.95); bias correction makes m_hat = g, v_hat = g^2.
        // p = 1 * (1 - 0.1 * 0.5) - 0.1 * 2 / (2 + 1e-8) = 0.95 - 0.0999999995 = 0.8500000005
        AdamW opt = new AdamW(1, 0.9, 0.95, 1e-8);
        float[] w = {1.0f};
        opt.step(w, new float[] {2.0f}, List.of(new ParamSlice("p", 0, 1, 0.1, 0.5)));
        assertEquals(0.8500000005, w[0], 1e-7);
        assertEquals(0.2, opt.state().get("exp_avg")[0], 1e-7);
        assertEquals(0.2, opt.state().get("exp_avg_sq")[0], 1e-7);
        assertEquals(1, opt.stepCount());
    }

    @Test
    void zeroGradientOnlyDecays() {
        // With g = 0 the Adam term is 0 / (0 + eps) = 0: only p *= 1 - lr * wd acts, step after step.
        AdamW opt = new AdamW(1, 0.9, 0.95, 1e-8);
        float[] w = {2.0f};
        for (int t = 0; t < 3; t++) {
            opt.step(w, new float[] {0.0f}, List.of(new ParamSlice("p", 0, 1, 0.1, 0.2)));
        }
        assertEquals(2.0 * 0.98 * 0.98 * 0.98, w[0], 1e-6);
    }

    @Test
    void elementsOutsideEverySliceAreUntouched() {
        AdamW opt = new AdamW(10, 0.9, 0.95, 1e-8);
        float[] w = new float[10];
        float[] g = new float[10];
        for (int i = 0; i < 10; i++) {
            w[i] = i + 1;
            g[i] = 0.5f;
        }
        List<ParamSlice> slices = List.of(
                new ParamSlice("a", 0, 3, 0.1, 0.1),
                new ParamSlice("b", 5, 3, 0.1, 0.0),
                new ParamSlice("empty", 9, 0, 0.1, 0.1));
        opt.step(w, g, slices);
        opt.step(w, g, slices);
        for (int i : new int[] {3, 4, 8, 9}) {
            assertEquals(i + 1, w[i], 0.0, "weight " + i);
            assertEquals(0.0f, opt.state().get("exp_avg")[i], "exp_avg " + i);
            assertEquals(0.0f, opt.state().get("exp_avg_sq")[i], "exp_avg_sq " + i);
        }
        for (int i : new int[] {0, 1, 2, 5, 6, 7}) {
            assertTrue(w[i] < i + 1, "weight " + i + " should have moved");
        }
    }

    // ---- Checkpointing ----

    @Test
    void restoreContinuesBitIdentically() {
        AdamW straight = new AdamW(N, BETA1, BETA2, EPS);
        float[] w1 = initialParams();
        for (int t = 0; t < STEPS; t++) {
            straight.step(w1, grads(t), slices(t));
        }

        AdamW first = new AdamW(N, BETA1, BETA2, EPS);
        float[] w2 = initialParams();
        for (int t = 0; t < 3; t++) {
            first.step(w2, grads(t), slices(t));
        }
        Map<String, float[]> saved = new HashMap<>();
        first.state().forEach((k, v) -> saved.put(k, v.clone()));
        AdamW resumed = new AdamW(N, BETA1, BETA2, EPS);
        resumed.restore(saved, first.stepCount());
        assertEquals(3, resumed.stepCount());
        for (int t = 3; t < STEPS; t++) {
            resumed.step(w2, grads(t), slices(t));
        }

        assertArrayEquals(w1, w2);
        assertArrayEquals(straight.state().get("exp_avg"), resumed.state().get("exp_avg"));
        assertArrayEquals(straight.state().get("exp_avg_sq"), resumed.state().get("exp_avg_sq"));
        assertEquals(straight.stepCount(), resumed.stepCount());
    }

    @Test
    void stateIsACopyAndRestoreCopies() {
        AdamW opt = new AdamW(2, 0.9, 0.95, 1e-8);
        float[] w = {1f, 1f};
        opt.step(w, new float[] {1f, 1f}, List.of(new ParamSlice("p", 0, 2, 0.1, 0.0)));
        Map<String, float[]> s = opt.state();
        assertEquals(List.of("exp_avg", "exp_avg_sq"), List.copyOf(s.keySet()));
        assertNotSame(s.get("exp_avg"), opt.state().get("exp_avg"));
        s.get("exp_avg")[0] = 42f;
        assertEquals(0.1f, opt.state().get("exp_avg")[0], 1e-7);
        opt.restore(s, 1);
        s.get("exp_avg")[0] = -1f;
        assertEquals(42f, opt.state().get("exp_avg")[0]);
    }

    @Test
    void restoreRejectsBadState() {
        AdamW opt = new AdamW(4, 0.9, 0.95, 1e-8);
        float[] ok = new float[4];
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> opt.restore(Map.of("exp_avg", ok), 1));
        assertTrue(e.getMessage().contains("exp_avg_sq"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> opt.restore(Map.of("exp_avg", ok, "exp_avg_sq", ok, "momentum", ok), 1));
        assertTrue(e.getMessage().contains("momentum"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> opt.restore(Map.of("exp_avg", new float[3], "exp_avg_sq", ok), 1));
        assertTrue(e.getMessage().contains("exp_avg") && e.getMessage().contains("3"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> opt.restore(Map.of("exp_avg", ok, "exp_avg_sq", ok), -1));
        assertTrue(e.getMessage().contains("stepCount"), e.getMessage());
    }

    // ---- Argument validation ----

    @Test
    void constructorValidates() {
        assertThrows(IllegalArgumentException.class, () -> new AdamW(-1, 0.9, 0.95, 1e-8));
        assertTrue(assertThrows(ConfigError.class, () -> new AdamW(4, 1.0, 0.95, 1e-8))
                .getMessage()
                .contains("beta1"));
        assertThrows(ConfigError.class, () -> new AdamW(4, -0.1, 0.95, 1e-8));
        assertThrows(ConfigError.class, () -> new AdamW(4, Double.NaN, 0.95, 1e-8));
        assertTrue(assertThrows(ConfigError.class, () -> new AdamW(4, 0.9, 1.0, 1e-8))
                .getMessage()
                .contains("beta2"));
        assertTrue(assertThrows(ConfigError.class, () -> new AdamW(4, 0.9, 0.95, 0.0))
                .getMessage()
                .contains("eps"));
        assertThrows(ConfigError.class, () -> new AdamW(4, 0.9, 0.95, Double.POSITIVE_INFINITY));
        // Boundary values that are allowed.
        new AdamW(0, 0.0, 0.0, Double.MIN_VALUE);
    }

    @Test
    void stepValidatesBeforeModifyingAnything() {
        AdamW opt = new AdamW(6, 0.9, 0.95, 1e-8);
        float[] w = {1, 2, 3, 4, 5, 6};
        float[] g = {1, 1, 1, 1, 1, 1};
        assertThrows(
                IllegalArgumentException.class,
                () -> opt.step(new float[5], g, List.of(new ParamSlice("a", 0, 1, 0.1, 0))));
        assertThrows(
                IllegalArgumentException.class,
                () -> opt.step(w, new float[7], List.of(new ParamSlice("a", 0, 1, 0.1, 0))));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> opt.step(w, g, List.of(new ParamSlice("a", 0, 2, 0.1, 0), new ParamSlice("b", 4, 3, 0.1, 0))));
        assertTrue(e.getMessage().contains("'b'"), e.getMessage());
        // Overlap hidden behind an empty slice between the two.
        e = assertThrows(
                IllegalArgumentException.class,
                () -> opt.step(
                        w,
                        g,
                        List.of(
                                new ParamSlice("a", 0, 4, 0.1, 0),
                                new ParamSlice("z", 2, 0, 0.1, 0),
                                new ParamSlice("b", 3, 2, 0.1, 0))));
        assertTrue(e.getMessage().contains("overlap"), e.getMessage());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, w);
        assertEquals(0, opt.stepCount());
    }

    @Test
    void paramSliceValidates() {
        assertThrows(IllegalArgumentException.class, () -> new ParamSlice("x", -1, 1, 0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new ParamSlice("x", 0, -1, 0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new ParamSlice("x", Integer.MAX_VALUE, 1, 0.1, 0));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ParamSlice("x", 0, 1, -0.1, 0))
                .getMessage()
                .contains("lr"));
        assertThrows(IllegalArgumentException.class, () -> new ParamSlice("x", 0, 1, Double.NaN, 0));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ParamSlice("x", 0, 1, 0.1, -1e-3))
                .getMessage()
                .contains("weightDecay"));
        assertThrows(NullPointerException.class, () -> new ParamSlice(null, 0, 1, 0.1, 0));
        ParamSlice s = new ParamSlice("x", 3, 4, 0.0, 0.0);
        assertEquals(7, s.end());
    }

    @Test
    void nameIsAdamw() {
        assertEquals("adamw", new AdamW(1, 0.9, 0.95, 1e-8).name());
    }
}
