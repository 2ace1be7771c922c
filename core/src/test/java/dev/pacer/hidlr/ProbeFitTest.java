package dev.pacer.hidlr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Each probed group's losses read from its own slice, and each rule of the curvature fit's acceptance. */
class ProbeFitTest {

    private static final double[] OFFSETS = {-2, -1, 1, 2};
    private static final double LOSS0 = 3;

    private final ProbeFit probeFit = new ProbeFit(OFFSETS, 0.9);

    /** Losses of {@code L(ξ) = 3 − b·ξ + ½·A·ξ²} at each offset times {@code rate}, plus {@code noise[o]}. */
    private static double[] along(double rate, double b, double a, double... noise) {
        double[] y = new double[OFFSETS.length];
        for (int o = 0; o < OFFSETS.length; o++) {
            double xi = OFFSETS[o] * rate;
            y[o] = LOSS0 - b * xi + 0.5 * a * xi * xi + (noise.length > 0 ? noise[o] : 0);
        }
        return y;
    }

    private static double[] losses(double[]... groups) {
        double[] out = new double[1 + OFFSETS.length * groups.length];
        out[0] = LOSS0;
        for (int j = 0; j < groups.length; j++) {
            System.arraycopy(groups[j], 0, out, 1 + j * OFFSETS.length, OFFSETS.length);
        }
        return out;
    }

    @Test
    void eachGroupIsFittedFromItsOwnSliceAndProposesBOverA() {
        // group 3 stepped at 0.01 with b = 0.5, A = 40 (best rate 0.0125); group 5 at 0.02 with b = 2, A = 10 (0.2)
        List<ProbeFit.Proposal> p = probeFit.fit(
                new int[] {3, 5}, new double[] {0.01, 0.02}, losses(along(0.01, 0.5, 40), along(0.02, 2, 10)));
        assertEquals(2, p.size());
        assertEquals(3, p.get(0).group());
        assertEquals(5, p.get(1).group());
        assertTrue(p.get(0).accepted() && p.get(1).accepted());
        assertEquals("", p.get(0).rejection());
        assertEquals(0.0125, p.get(0).bestRate(), 1e-9);
        assertEquals(0.2, p.get(1).bestRate(), 1e-9);
        assertEquals(40, p.get(0).fit().a(), 1e-4);
        assertEquals(2, p.get(1).fit().b(), 1e-9);
    }

    @Test
    void concaveRisingZeroRateAndNonFiniteLossesProposeNothing() {
        double[] nan = along(0.01, 0.5, 40);
        nan[2] = Double.NaN;
        List<ProbeFit.Proposal> p = probeFit.fit(
                new int[] {0, 1, 2, 3},
                new double[] {0.01, 0.01, 0, 0.01},
                losses(along(0.01, 0.5, -40), along(0.01, -0.5, 40), along(0, 0.5, 40), nan));
        assertEquals("A <= 0", p.get(0).rejection());
        assertEquals("b <= 0", p.get(1).rejection());
        assertEquals("rate is 0", p.get(2).rejection());
        assertNull(p.get(2).fit(), "all points at ξ = 0: nothing to fit");
        assertEquals("non-finite loss", p.get(3).rejection());
        for (ProbeFit.Proposal q : p) {
            assertTrue(!q.accepted() && Double.isNaN(q.bestRate()), q.rejection());
        }
    }

    @Test
    void aPoorFitIsRejectedByMinR2() {
        // b = 0.5, A = 40 at rate 0.01 moves the loss by at most 0.012; noise of 0.02 swamps it
        double[] noisy = along(0.01, 0.5, 40, 0.02, -0.02, 0.02, -0.01);
        ProbeFit.Proposal p =
                probeFit.fit(new int[] {0}, new double[] {0.01}, losses(noisy)).get(0);
        assertTrue(
                p.fit().a() > 0 && p.fit().b() > 0 && p.fit().r2() < 0.9,
                p.fit().toString());
        assertEquals("R2 below 0.9", p.rejection());
        ProbeFit lenient = new ProbeFit(OFFSETS, 0);
        assertTrue(lenient.fit(new int[] {0}, new double[] {0.01}, losses(noisy))
                .get(0)
                .accepted());
    }

    @Test
    void aProbeWithTheWrongNumberOfLossesIsRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> probeFit.fit(new int[] {0, 1}, new double[] {0.01, 0.01}, losses(along(0.01, 0.5, 40))));
        assertEquals("probe returned 5 losses, expected 9", e.getMessage());
    }
}
