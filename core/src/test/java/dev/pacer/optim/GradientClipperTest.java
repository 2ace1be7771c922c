package dev.pacer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GradientClipperTest {

    @Test
    void clipsThreeFourToUnitNorm() {
        float[] g = {3f, 4f, 0f};
        double norm = GradientClipper.clipByGlobalNorm(g, one(g), 1.0);
        assertEquals(5.0, norm, 0.0);
        // Coefficient 1 / (5 + 1e-6): 3 / 5.000001 = 0.599999880000024, 4 / 5.000001 = 0.799999840000032.
        assertEquals(0.599999880000024, g[0], 1e-7);
        assertEquals(0.799999840000032, g[1], 1e-7);
        assertEquals(0f, g[2]);
        double after = Math.sqrt((double) g[0] * g[0] + (double) g[1] * g[1]);
        assertEquals(1.0, after, 1e-6);
        assertTrue(after < 1.0 + 1e-7);
    }

    @Test
    void noClippingBelowThreshold() {
        float[] g = {0.3f, -0.4f};
        double norm = GradientClipper.clipByGlobalNorm(g, one(g), 1.0);
        assertEquals(0.5, norm, 1e-7);
        assertArrayEquals(new float[] {0.3f, -0.4f}, g);
    }

    @Test
    void normEqualToMaxStillScalesByEpsRule() {
        // torch's rule: coef = 5 / (5 + 1e-6) < 1, so a norm exactly at the limit is scaled very slightly.
        float[] g = {3f, 4f};
        assertEquals(5.0, GradientClipper.clipByGlobalNorm(g, one(g), 5.0), 0.0);
        assertEquals(3.0 * 5.0 / 5.000001, g[0], 1e-6);
        assertTrue(g[0] < 3f);
    }

    @Test
    void disabledForNonPositiveOrInfiniteMaxNorm() {
        for (double max : new double[] {0.0, -1.0, Double.POSITIVE_INFINITY, Double.NaN}) {
            float[] g = {3f, 4f};
            assertEquals(5.0, GradientClipper.clipByGlobalNorm(g, one(g), max), 0.0, "maxNorm " + max);
            assertArrayEquals(new float[] {3f, 4f}, g, "maxNorm " + max);
        }
    }

    @Test
    void nonFiniteNormLeavesGradsUntouched() {
        float[] g = {3f, Float.NaN, 4f};
        assertTrue(Double.isNaN(GradientClipper.clipByGlobalNorm(g, one(g), 1.0)));
        assertEquals(3f, g[0]);
        assertEquals(4f, g[2]);
        float[] h = {Float.POSITIVE_INFINITY, 1f};
        assertEquals(Double.POSITIVE_INFINITY, GradientClipper.clipByGlobalNorm(h, one(h), 1.0));
        assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, 1f}, h);
    }

    @Test
    void normComputedInDoubleForLargeValues() {
        // 3e30^2 overflows float but not double: norm of {3e30, 4e30} is 5e30.
        float[] g = {3e30f, 4e30f};
        double norm = GradientClipper.clipByGlobalNorm(g, one(g), 1.0);
        assertEquals(5e30, norm, 5e30 * 1e-7);
        assertEquals(0.6, g[0], 1e-6);
        assertEquals(0.8, g[1], 1e-6);
    }

    @Test
    void emptyGradientsHaveZeroNorm() {
        assertEquals(0.0, GradientClipper.clipByGlobalNorm(new float[0], one(new float[0]), 1.0));
    }

    @Test
    void manyElementsAgainstClosedForm() {
        // n equal entries of value c: norm = c * sqrt(n).
        int n = 10_000;
        float[] g = new float[n];
        java.util.Arrays.fill(g, 0.25f);
        double norm = GradientClipper.clipByGlobalNorm(g, one(g), 2.0);
        assertEquals(0.25 * 100.0, norm, 1e-9);
        double coef = 2.0 / (25.0 + 1e-6);
        for (float x : g) {
            assertEquals(0.25 * coef, x, 1e-9);
        }
    }

    /** The whole vector as one tensor. */
    private static int[] one(float[] g) {
        return new int[] {g.length};
    }

    @Test
    void tensorByTensorPiecesGiveTheWholeVectorsResultBitForBit() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        float[] g = new float[1000];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-4, 3)));
        }
        int[] ends = {17, 400, 401, 1000};
        float[] whole = g.clone();
        double norm = GradientClipper.clipByGlobalNorm(whole, ends, 1.0);
        // as executors holding tensors {0, 2} and {1, 3} would: their sums, added in tensor order
        double[] squares = new double[4];
        int from = 0;
        for (int t = 0; t < 4; t++) {
            squares[t] = GradientClipper.sumOfSquares(g, from, ends[t]);
            from = ends[t];
        }
        assertEquals(norm, GradientClipper.norm(squares), 0.0);
        double coef = GradientClipper.coefficient(norm, 1.0);
        assertTrue(coef < 1, "the test vector must be clipped");
        float[] pieces = g.clone();
        GradientClipper.scale(pieces, 0, 400, coef);
        GradientClipper.scale(pieces, 400, 1000, coef);
        assertArrayEquals(whole, pieces);
        // the per-tensor sum is a reference formula: sqrt of the sum of squares, to rounding
        double direct = 0;
        for (float x : g) {
            direct += (double) x * x;
        }
        assertEquals(Math.sqrt(direct), norm, 1e-12 * norm);
    }
}
