package dev.pacer.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LrScheduleTest {

    /** Values below are computed by hand; only double rounding separates them from the schedules. */
    private static final double TOL = 1e-12;

    @Test
    void warmupIsLinearAndReachesOneAtLastWarmupStep() {
        for (ScheduleKind kind : ScheduleKind.values()) {
            String name = kind.id();
            LrSchedule s = LrSchedule.create(kind, 10, 100, 0.1, 0.2);
            assertEquals(0.1, s.factor(0), TOL, name);
            assertEquals(0.5, s.factor(4), TOL, name);
            assertEquals(1.0, s.factor(9), TOL, name);
            assertEquals(1.0, s.factor(10), TOL, name);
            for (long step = 1; step < 10; step++) {
                assertTrue(s.factor(step) > s.factor(step - 1), name + " warmup increases at " + step);
            }
        }
    }

    @Test
    void cosineValues() {
        // warmup 10, total 110: decay over 100 steps, p = (step - 10) / 100.
        LrSchedule s = LrSchedule.create(ScheduleKind.COSINE, 10, 110, 0.1, 0.5);
        assertInstanceOf(WarmupCosineSchedule.class, s);
        assertEquals(ScheduleKind.COSINE, s.kind());
        assertEquals(1.0, s.factor(10), TOL);
        // p = 0.25: 0.1 + 0.9 * 0.5 * (1 + cos(pi/4)) = 0.1 + 0.45 * 1.7071067811865475
        assertEquals(0.8681980515339464, s.factor(35), TOL);
        // Midpoint p = 0.5: (1 + minFactor) / 2.
        assertEquals(0.55, s.factor(60), TOL);
        // p = 0.99: 0.1 + 0.45 * (1 + cos(0.99 pi)) = 0.1 + 0.45 * 4.934396342684e-4
        assertEquals(0.10022204783542, s.factor(109), 1e-13);
        assertEquals(0.1, s.factor(110), TOL);
        assertEquals(0.1, s.factor(1_000_000), TOL);
    }

    @Test
    void cosineWithoutWarmupStartsAtOne() {
        LrSchedule s = LrSchedule.create(ScheduleKind.COSINE, 0, 4, 0.0, 0.5);
        assertEquals(1.0, s.factor(0), TOL);
        assertEquals(0.5 * (1 + Math.sqrt(0.5)), s.factor(1), TOL); // p = 1/4
        assertEquals(0.5, s.factor(2), TOL); // p = 1/2
        assertEquals(0.0, s.factor(4), TOL);
    }

    @Test
    void cosineWarmupEqualToTotalDropsToMinFactorAfterwards() {
        LrSchedule s = LrSchedule.create(ScheduleKind.COSINE, 5, 5, 0.2, 0.5);
        assertEquals(1.0, s.factor(4), TOL);
        assertEquals(0.2, s.factor(5), TOL);
        assertEquals(0.2, s.factor(50), TOL);
    }

    @Test
    void constantValues() {
        LrSchedule s = LrSchedule.create(ScheduleKind.CONSTANT, 5, 100, 0.1, 0.2);
        assertInstanceOf(ConstantSchedule.class, s);
        assertEquals(ScheduleKind.CONSTANT, s.kind());
        assertEquals(0.2, s.factor(0), TOL);
        assertEquals(1.0, s.factor(4), TOL);
        assertEquals(1.0, s.factor(99), TOL);
        assertEquals(1.0, s.factor(10_000), TOL);
        assertEquals(
                1.0, LrSchedule.create(ScheduleKind.CONSTANT, 0, 1, 0.0, 1.0).factor(0), TOL);
    }

    @Test
    void wsdValues() {
        // warmup 10, total 100, decayFraction 0.2 -> D = 20 decay steps 80..99, minFactor 0.1.
        LrSchedule s = LrSchedule.create(ScheduleKind.WSD, 10, 100, 0.1, 0.2);
        WarmupStableDecaySchedule w = assertInstanceOf(WarmupStableDecaySchedule.class, s);
        assertEquals(ScheduleKind.WSD, s.kind());
        assertEquals(20, w.decaySteps());
        assertEquals(80, w.decayStart());
        assertEquals(1.0, s.factor(10), TOL);
        assertEquals(1.0, s.factor(50), TOL);
        assertEquals(1.0, s.factor(79), TOL); // last plateau step
        assertEquals(0.955, s.factor(80), TOL); // 1 - 0.9 * 1/20
        assertEquals(0.55, s.factor(89), TOL); // 1 - 0.9 * 10/20
        assertEquals(0.145, s.factor(98), TOL); // 1 - 0.9 * 19/20
        assertEquals(0.1, s.factor(99), TOL); // reaches minFactor at total - 1
        assertEquals(0.1, s.factor(100), TOL);
        assertEquals(0.1, s.factor(12345), TOL);
    }

    @Test
    void wsdDecayLengthRoundingAndClamping() {
        // 0.25 * 10 = 2.5 rounds half up to 3 decay steps: 7, 8, 9.
        WarmupStableDecaySchedule a = (WarmupStableDecaySchedule) LrSchedule.create(ScheduleKind.WSD, 0, 10, 0.0, 0.25);
        assertEquals(3, a.decaySteps());
        assertEquals(1.0, a.factor(6), TOL);
        assertEquals(2.0 / 3.0, a.factor(7), TOL);
        assertEquals(1.0 / 3.0, a.factor(8), TOL);
        assertEquals(0.0, a.factor(9), TOL);
        // 0.01 * 10 = 0.1 rounds to 0, at least one decay step: only the last step is at minFactor.
        WarmupStableDecaySchedule b = (WarmupStableDecaySchedule) LrSchedule.create(ScheduleKind.WSD, 0, 10, 0.3, 0.01);
        assertEquals(1, b.decaySteps());
        assertEquals(1.0, b.factor(8), TOL);
        assertEquals(0.3, b.factor(9), TOL);
        // Decay wanting 5 steps but only 2 after an 8-step warmup: clamped to 2.
        WarmupStableDecaySchedule c = (WarmupStableDecaySchedule) LrSchedule.create(ScheduleKind.WSD, 8, 10, 0.1, 0.5);
        assertEquals(2, c.decaySteps());
        assertEquals(1.0, c.factor(7), TOL);
        assertEquals(0.55, c.factor(8), TOL);
        assertEquals(0.1, c.factor(9), TOL);
        // decayFraction 1 without warmup: the decay starts at step 0.
        LrSchedule d = LrSchedule.create(ScheduleKind.WSD, 0, 4, 0.0, 1.0);
        assertEquals(0.75, d.factor(0), TOL);
        assertEquals(0.0, d.factor(3), TOL);
        // warmup == total: all warmup, then minFactor.
        LrSchedule e = LrSchedule.create(ScheduleKind.WSD, 4, 4, 0.2, 0.5);
        assertEquals(1.0, e.factor(3), TOL);
        assertEquals(0.2, e.factor(4), TOL);
    }

    @Test
    void nonIncreasingAfterWarmup() {
        long[][] configs = {{0, 1}, {0, 7}, {3, 50}, {10, 1000}, {999, 1000}, {17, 17}};
        double[] minFactors = {0.0, 0.1, 1.0};
        double[] fractions = {0.01, 0.2, 0.5, 1.0};
        for (ScheduleKind kind : ScheduleKind.values()) {
            String name = kind.id();
            for (long[] c : configs) {
                for (double mf : minFactors) {
                    for (double df : fractions) {
                        LrSchedule s = LrSchedule.create(kind, c[0], c[1], mf, df);
                        String what = name + " warmup=" + c[0] + " total=" + c[1] + " min=" + mf + " df=" + df;
                        for (long step = Math.max(1, c[0]); step < c[1] + 20; step++) {
                            double prev = s.factor(step - 1);
                            double cur = s.factor(step);
                            // From the last warmup step (factor 1) on, the factor never rises.
                            assertTrue(cur <= prev, what + ": factor rises at step " + step);
                            assertTrue(
                                    cur >= mf - TOL && cur <= 1.0 + TOL,
                                    what + ": factor " + cur + " out of range at step " + step);
                        }
                    }
                }
            }
        }
    }

    @Test
    void unknownNameListsValidNames() {
        dev.pacer.config.ConfigError e = assertThrows(
                dev.pacer.config.ConfigError.class,
                () -> dev.pacer.config.ConfigChoice.parse(ScheduleKind.class, "pacer.train.schedule", "linear"));
        assertEquals("pacer.train.schedule = \"linear\": expected one of cosine, constant, wsd", e.getMessage());
        assertEquals(
                ScheduleKind.WSD,
                dev.pacer.config.ConfigChoice.parse(ScheduleKind.class, "pacer.train.schedule", "wsd"));
    }

    @Test
    void badArgumentsRejectedWithTheirName() {
        assertRejected("totalSteps", () -> LrSchedule.create(ScheduleKind.COSINE, 0, 0, 0.1, 0.2));
        assertRejected("totalSteps", () -> LrSchedule.create(ScheduleKind.CONSTANT, 0, -5, 0.1, 0.2));
        assertRejected("warmupSteps", () -> LrSchedule.create(ScheduleKind.COSINE, -1, 10, 0.1, 0.2));
        assertRejected("warmupSteps", () -> LrSchedule.create(ScheduleKind.WSD, 11, 10, 0.1, 0.2));
        assertRejected("minFactor", () -> LrSchedule.create(ScheduleKind.COSINE, 0, 10, -0.1, 0.2));
        assertRejected("minFactor", () -> LrSchedule.create(ScheduleKind.WSD, 0, 10, 1.1, 0.2));
        assertRejected("minFactor", () -> LrSchedule.create(ScheduleKind.COSINE, 0, 10, Double.NaN, 0.2));
        assertRejected("decayFraction", () -> LrSchedule.create(ScheduleKind.WSD, 0, 10, 0.1, 0.0));
        assertRejected("decayFraction", () -> LrSchedule.create(ScheduleKind.WSD, 0, 10, 0.1, 1.5));
        assertRejected("decayFraction", () -> LrSchedule.create(ScheduleKind.WSD, 0, 10, 0.1, Double.NaN));
        // Direct construction validates too.
        assertRejected("minFactor", () -> new WarmupCosineSchedule(0, 10, 2.0));
        assertRejected("warmupSteps", () -> new ConstantSchedule(20, 10));
        assertRejected("decayFraction", () -> new WarmupStableDecaySchedule(0, 10, 0.1, -0.5));
        // Negative steps are not steps.
        assertRejected(
                "step",
                () -> LrSchedule.create(ScheduleKind.COSINE, 0, 10, 0.1, 0.2).factor(-1));
    }

    private static void assertRejected(String argument, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(argument), "message should name " + argument + ": " + e.getMessage());
    }
}
