package dev.pacer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.config.ConfigError;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdamPTest {

    private static AdamP fromGolden(GoldenRun run) {
        return new AdamP(
                run.size(),
                run.hyper("beta1"),
                run.hyper("beta2"),
                run.hyper("eps"),
                run.hyper("delta"),
                run.hyper("wd_ratio"),
                run.hyper().get("nesterov").asBoolean());
    }

    private static void matches(String caseName) {
        GoldenRun run = GoldenRun.load(caseName);
        List<ParamSlice> names = run.slices(0);
        run.assertMatches(fromGolden(run), (t, opt, w) -> {
            for (int k = 0; k < names.size(); k++) {
                String expected =
                        run.node.get("projections").get(t).get(k).asText().toUpperCase();
                assertEquals(
                        AdamP.Projection.valueOf(expected),
                        ((AdamP) opt).lastProjection(names.get(k).name()),
                        names.get(k).name() + " at step " + (t + 1));
            }
        });
    }

    @Test
    void matchesTheReferenceTrajectory() {
        // Tensors "rows" (row test fires), "whole" (row test fails, tensor test fires), "plain" (neither),
        // "bias" (rank 1, never tested), every step.
        matches("adamp");
    }

    @Test
    void nesterovMatchesTheReferenceTrajectory() {
        matches("adamp_nesterov");
    }

    private static final long[] SHAPE = {2, 3};

    @Test
    void withoutProjectionItIsAdamW() {
        // A gradient with a large component along the weights fails both cosine tests: AdamP = AdamW.
        float[] w = {0.5f, -0.2f, 0.3f, 0.1f, 0.4f, -0.6f};
        float[] wa = w.clone();
        AdamP p = new AdamP(6, 0.9, 0.999, 1e-8, 0.1, 0.1, false);
        AdamW a = new AdamW(6, 0.9, 0.999, 1e-8);
        for (int t = 0; t < 3; t++) {
            float[] g = new float[6];
            for (int i = 0; i < 6; i++) {
                g[i] = w[i] + 0.01f * (i - t);
            }
            p.step(w, g, List.of(new ParamSlice("m", 0, 6, 0.01, 0.1, SHAPE)));
            a.step(wa, g, List.of(new ParamSlice("m", 0, 6, 0.01, 0.1)));
            assertEquals(AdamP.Projection.NONE, p.lastProjection("m"));
            for (int i = 0; i < 6; i++) {
                assertEquals(wa[i], w[i], 1.2e-7, "step " + t + " element " + i); // 2 ulps: operation order
            }
        }
    }

    @Test
    void whenTheRowTestFiresTheStepIsOrthogonalToEachRowAndDecayIsScaled() {
        // Gradient orthogonal to each row of the weights: a scale-invariant direction. The update q is
        // projected onto each row's tangent space, and the weight decay is multiplied by wd-ratio.
        float[] w = {0.3f, 0.4f, 0f, 0.1f, 0f, -0.1f};
        float[] g = {4f, -3f, 2f, 1f, 5f, 1f}; // <g_row, w_row> = 0 for both rows
        double lr = 0.01;
        double wd = 0.5;
        double ratio = 0.1;
        AdamP p = new AdamP(6, 0.9, 0.999, 1e-8, 0.1, ratio, false);
        float[] before = w.clone();
        p.step(w, g, List.of(new ParamSlice("m", 0, 6, lr, wd, SHAPE)));
        assertEquals(AdamP.Projection.CHANNEL, p.lastProjection("m"));
        // Undo the (scaled) decay: the rest is the step -lr/bc1 * q, which must be orthogonal to each row
        // (cosine below 1e-4, the float32 rounding of the weights; unprojected it would be about 0.1).
        double decay = 1 - lr * wd * ratio;
        for (int r = 0; r < 2; r++) {
            double dot = 0;
            double norm = 0;
            double pNorm = 0;
            for (int c = 0; c < 3; c++) {
                int i = 3 * r + c;
                double step = w[i] - before[i] * decay;
                dot += step * before[i];
                norm += step * step;
                pNorm += (double) before[i] * before[i];
            }
            assertTrue(Math.sqrt(norm) > 1e-3, "row " + r + " moved");
            assertEquals(0.0, dot / Math.sqrt(norm * pNorm), 1e-4, "row " + r + ": step orthogonal to the weights");
        }
        // By hand: Adam's first step is lr * g / (|g| + eps) ~ lr * sign(g); projected per row,
        // u_row - p̂ <p̂, u_row> with p̂ = p / (||p|| + eps), and the decay scaled by wd-ratio.
        for (int r = 0; r < 2; r++) {
            double[] u = new double[3];
            double[] unit = new double[3];
            double norm = 0;
            for (int c = 0; c < 3; c++) {
                int i = 3 * r + c;
                u[c] = g[i] / (Math.abs(g[i]) + 1e-8);
                norm += (double) before[i] * before[i];
            }
            norm = Math.sqrt(norm) + 1e-8;
            double dot = 0;
            for (int c = 0; c < 3; c++) {
                unit[c] = before[3 * r + c] / norm;
                dot += unit[c] * u[c];
            }
            for (int c = 0; c < 3; c++) {
                int i = 3 * r + c;
                double expected = before[i] * decay - lr * (u[c] - unit[c] * dot);
                assertEquals(expected, w[i], 1e-7, "element " + i);
            }
        }
    }

    @Test
    void rankOneTensorsAreNeverProjected() {
        // Same numbers as a 1-D tensor: the cosine test is not applied; AdamP = AdamW.
        float[] w = {3f, 4f, 0f, 1f, 0f, -1f};
        float[] wa = w.clone();
        float[] g = {4f, -3f, 2f, 1f, 5f, 1f};
        AdamP p = new AdamP(6, 0.9, 0.999, 1e-8, 0.1, 0.1, false);
        p.step(w, g, List.of(new ParamSlice("b", 0, 6, 0.01, 0.5, new long[] {6})));
        new AdamW(6, 0.9, 0.999, 1e-8).step(wa, g, List.of(new ParamSlice("b", 0, 6, 0.01, 0.5)));
        assertEquals(AdamP.Projection.NONE, p.lastProjection("b"));
        for (int i = 0; i < 6; i++) {
            assertEquals(wa[i], w[i], 1e-6 * Math.abs(wa[i]) + 1e-9, "element " + i);
        }
    }

    @Test
    void needsShapesAndChecksBeforeModifying() {
        AdamP p = new AdamP(4, 0.9, 0.999, 1e-8, 0.1, 0.1, false);
        float[] w = {1f, 2f, 3f, 4f};
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> p.step(
                        w,
                        new float[] {1f, 1f, 1f, 1f},
                        List.of(
                                new ParamSlice("a", 0, 2, 0.1, 0, new long[] {2}),
                                new ParamSlice("h.0.attn.c_proj.weight", 2, 2, 0.1, 0))));
        assertTrue(
                e.getMessage().contains("h.0.attn.c_proj.weight")
                        && e.getMessage().contains("shape"),
                e.getMessage());
        assertArrayEquals(new float[] {1f, 2f, 3f, 4f}, w);
        assertEquals(0, p.stepCount());
    }

    @Test
    void restoreContinuesBitIdentically() {
        GoldenRun run = GoldenRun.load("adamp");
        run.assertRestoreContinuesBitIdentically(() -> fromGolden(run), 3);
    }

    @Test
    void validatesAndNames() {
        assertThrows(ConfigError.class, () -> new AdamP(1, 0.9, 0.999, 1e-8, 0, 0.1, false));
        assertThrows(ConfigError.class, () -> new AdamP(1, 0.9, 0.999, 1e-8, 0.1, 1.5, false));
        assertEquals("adamp", new AdamP(1, 0.9, 0.999, 1e-8, 0.1, 0.1, false).name());
    }
}
