package dev.pacer.hidlr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CurvatureFitTest {

    @Test
    void exactQuadraticIsRecovered() {
        // L(ξ) = 3 − 0.5·ξ + ½·40·ξ²: b = 0.5, A = 40, best step 0.0125
        double[] xi = {0, -2e-3, -1e-3, 1e-3, 2e-3};
        double[] y = new double[xi.length];
        for (int i = 0; i < xi.length; i++) {
            y[i] = 3 - 0.5 * xi[i] + 20 * xi[i] * xi[i];
        }
        CurvatureFit f = CurvatureFit.of(xi, y);
        assertEquals(0.5, f.b(), 1e-9);
        assertEquals(40, f.a(), 1e-6);
        assertEquals(3, f.c(), 1e-12);
        assertEquals(1, f.r2(), 1e-12);
        assertEquals(0.0125, f.bestStep(), 1e-10);
    }

    @Test
    void leastSquaresMatchesHandComputedNormalEquations() {
        // points off a parabola: the fit of y on (1, x, x²) solved by hand for x = -2..2, y = {5, 1, 0, 2, 3}
        // sums: n=5, Σx=0, Σx²=10, Σx⁴=34, Σy=11, Σxy=-2·5-1+2+6=-3, Σx²y=20+1+2+12=35
        // p1 = Σxy/Σx² = -0.3; [5 10; 10 34]·[p0 p2] = [11 35] → p2 = (35·5-11·10)/(34·5-100) = 65/70
        double[] x = {-2, -1, 0, 1, 2};
        double[] y = {5, 1, 0, 2, 3};
        CurvatureFit f = CurvatureFit.of(x, y);
        double p2 = 65.0 / 70;
        double p0 = (11 - 10 * p2) / 5;
        assertEquals(0.3, f.b(), 1e-12);
        assertEquals(2 * p2, f.a(), 1e-12);
        assertEquals(p0, f.c(), 1e-12);
        double ssRes = 0;
        double ssTot = 0;
        for (int i = 0; i < 5; i++) {
            double fit = p0 - 0.3 * x[i] + p2 * x[i] * x[i];
            ssRes += (y[i] - fit) * (y[i] - fit);
            ssTot += (y[i] - 2.2) * (y[i] - 2.2);
        }
        assertEquals(1 - ssRes / ssTot, f.r2(), 1e-12);
    }

    @Test
    void noNegativeOrFlatCurvatureGivesAStep() {
        double[] xi = {0, -2, -1, 1, 2};
        double[] concave = new double[5];
        double[] rising = new double[5];
        for (int i = 0; i < 5; i++) {
            concave[i] = 1 - xi[i] - xi[i] * xi[i];
            rising[i] = 1 + xi[i] + xi[i] * xi[i];
        }
        assertTrue(Double.isNaN(CurvatureFit.of(xi, concave).bestStep()));
        assertTrue(Double.isNaN(CurvatureFit.of(xi, rising).bestStep()));
    }

    @Test
    void noiseLowersRSquared() {
        SplittableRandom rng = new SplittableRandom(7);
        double[] xi = {0, -2, -1, 1, 2};
        double[] y = new double[5];
        for (int i = 0; i < 5; i++) {
            y[i] = 1 - 0.01 * xi[i] + 0.005 * xi[i] * xi[i] + rng.nextGaussian();
        }
        assertTrue(CurvatureFit.of(xi, y).r2() < 0.9);
    }

    @Test
    void refusesUndeterminedFits() {
        assertThrows(IllegalArgumentException.class, () -> CurvatureFit.of(new double[] {1, 2}, new double[] {1, 2}));
        assertThrows(
                IllegalArgumentException.class,
                () -> CurvatureFit.of(new double[] {1, 1, 2, 2}, new double[] {1, 2, 3, 4}));
        assertThrows(
                IllegalArgumentException.class, () -> CurvatureFit.of(new double[] {0, 0, 0}, new double[] {1, 2, 3}));
    }
}
