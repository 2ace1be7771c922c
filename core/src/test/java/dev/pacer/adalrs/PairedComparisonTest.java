package dev.pacer.adalrs;

import static dev.pacer.adalrs.PairedClimbTest.feed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.adalrs.AdaLrsController.Action;
import dev.pacer.adalrs.AdaLrsController.Decision;
import org.junit.jupiter.api.Test;

/** AdaLRS with {@code comparison = paired}: trials replay the base window's steps. */
class PairedComparisonTest {

    private static AdaLrsSettings paired(int window, double phaseStart, double phaseEnd, double extra) {
        return new AdaLrsSettings(
                true,
                window,
                3,
                2,
                0.99,
                phaseStart,
                phaseEnd,
                1e-3,
                1e3,
                1.0,
                1.0,
                AdaLrsSettings.Trend.INVERSE_TIME,
                true,
                AdaLrsSettings.Comparison.PAIRED,
                extra,
                false,
                true,
                window,
                false,
                0,
                false,
                false,
                0.5,
                false,
                0,
                3.162);
    }

    /** Up-only search (down-trials = false) that starts from a tenth of the base rate. */
    private static AdaLrsSettings upOnly(int window, double phaseStart, double phaseEnd, double extra) {
        return new AdaLrsSettings(
                true,
                window,
                3,
                2,
                0.99,
                phaseStart,
                phaseEnd,
                1e-3,
                1e3,
                0.1,
                1.0,
                AdaLrsSettings.Trend.INVERSE_TIME,
                true,
                AdaLrsSettings.Comparison.PAIRED,
                extra,
                false,
                false,
                window,
                false,
                0,
                false,
                false,
                0.5,
                false,
                0,
                3.162);
    }

    @Test
    void replaysTheBaseWindowAndDecidesOnThePairedDifferenceOfItsSecondHalf() {
        AdaLrsController c = new AdaLrsController(paired(4, 0, 1, 0.5), 0, 1000);
        assertEquals(Action.SNAPSHOT, c.observe(1, 5.0).action()); // round 0 starts after step 1
        Decision replay = feed(c, 1, 4.9, 4.8, 4.7, 4.6);
        assertEquals(Action.REPLAY, replay.action());
        assertEquals(1, replay.resumeAt());
        assertEquals(3.0, c.level(), 1e-12); // α′ = 3 in round 0
        assertEquals("trial", c.phase());

        // the same steps 2-5 again; second half (steps 4, 5): differences -0.15 and -0.05,
        // mean -0.1, sample sd sqrt(0.005), standard error sqrt(0.005 / 2) = 0.05 < 0.1: accept
        Decision accept = feed(c, 1, 4.85, 4.75, 4.55, 4.55);
        assertEquals(
                "accept", accept.event().get("outcome").asText(), accept.event().toString());
        assertEquals(-0.1, accept.event().get("paired_difference").asDouble(), 1e-12);
        assertEquals(0.05, accept.event().get("paired_error").asDouble(), 1e-12);
        assertEquals(4.65, accept.event().get("base_mean_loss").asDouble(), 1e-12);
        assertEquals(Action.SNAPSHOT, accept.action()); // the next round starts from the trial's branch
        assertEquals(3.0, c.level(), 1e-12);

        // round 1 at level 3: base steps 6-9, then a trial at 3 x 2.97 that ends behind: reject,
        // back to the base branch (the snapshot, at the same step 9) at level 3
        Decision replay2 = feed(c, 5, 4.5, 4.4, 4.3, 4.2);
        assertEquals(Action.REPLAY, replay2.action());
        assertEquals(5, replay2.resumeAt());
        assertEquals(3 * 3 * 0.99, c.level(), 1e-12);
        Decision reject = feed(c, 5, 4.6, 4.6, 4.5, 4.45);
        assertEquals(
                "reject", reject.event().get("outcome").asText(), reject.event().toString());
        assertEquals(Action.ROLLBACK, reject.action());
        assertEquals(3.0, c.level(), 1e-12);

        // an up trial lost: round 2 tries down, by β′ = 2 x 0.99²
        Decision replay3 = feed(c, 9, 4.1, 4.0, 3.9, 3.8);
        assertEquals(Action.REPLAY, replay3.action());
        assertEquals(3.0 / (2 * 0.99 * 0.99), c.level(), 1e-12);
        assertEquals(3 * 4L, c.state().extraSteps);
    }

    @Test
    void whenBothNeighboursLoseTheStepsNarrow() {
        AdaLrsController c = new AdaLrsController(paired(4, 0, 1, 0.5), 0, 1000);
        c.observe(1, 5.0);
        long step = 1;
        double[] base = {4.9, 4.8, 4.7, 4.6};
        double[] worse = {4.95, 4.85, 4.75, 4.65}; // 0.05 behind on every step, below the run's maximum
        // round 0 up (x3) loses, round 1 down (/ 2 x 0.99) loses: bracketed
        for (int round = 0; round < 2; round++) {
            assertEquals(Action.REPLAY, feed(c, step, base).action());
            Decision d = feed(c, step, worse);
            assertEquals("reject", d.event().get("outcome").asText(), d.event().toString());
            step += 4;
            assertEquals(1.0, c.level(), 1e-12);
        }
        assertEquals(Action.REPLAY, feed(c, step, base).action());
        // round 2 goes up again by the square root of α′ = 3 x 0.99²
        assertEquals(Math.sqrt(3 * 0.99 * 0.99), c.level(), 1e-12);
    }

    /** Window 4 from step 1: the first trial's second step (step 3 replayed) has a NaN loss. */
    private static AdaLrsController divergedOnTheTrial(AdaLrsSettings settings) {
        AdaLrsController c = new AdaLrsController(settings, 0, 1000);
        c.observe(1, 5.0);
        assertEquals(Action.REPLAY, feed(c, 1, 4.9, 4.8, 4.7, 4.6).action());
        c.observe(2, 4.8);
        Decision d = c.observe(3, Double.NaN);
        assertEquals(Action.ROLLBACK, d.action());
        assertEquals(5, d.resumeAt()); // the base branch ended at step 5
        assertEquals("diverged", d.event().get("outcome").asText());
        return c;
    }

    @Test
    void aNonFiniteLossOnTheTrialReturnsToTheBaseBranchAndStopsUpscaling() {
        AdaLrsController c = divergedOnTheTrial(paired(4, 0, 1, 0.5));
        assertEquals(1.0, c.level(), 1e-12);
        // the next round (base steps 6-9) tries down: upscaling has stopped
        assertEquals(Action.REPLAY, feed(c, 5, 4.5, 4.4, 4.3, 4.2).action());
        assertTrue(c.level() < 1.0, "level " + c.level());
    }

    @Test
    void replaysStayWithinTheExtraComputeBudget() {
        for (double extra : new double[] {0.05, 0.15, 0.3}) {
            SimulatedLandscape.Run r = SimulatedLandscape.run(
                    paired(20, 0.05, 0.8, extra), SimulatedLandscape.OPTIMUM / 30, 4000, 100, 0.0005, 0.005, 500, 3);
            long replayed = r.computedSteps() - 4000;
            assertTrue(
                    replayed > 0 && replayed <= Math.floor(extra * 4000),
                    "budget " + extra + ": replayed " + replayed + " steps");
        }
    }

    @Test
    void findsTheOptimumFromThirtyTimesTooSmallAndTenTimesTooLarge() {
        // batch noise (common to both branches on the same step) ten times the evaluation noise
        SimulatedLandscape.assertRecoversFromThirtyTimesTooSmallAndTenTimesTooLarge(paired(20, 0.05, 0.8, 0.15), 0.005);
    }

    @Test
    void errorShrinksGeometricallyWhileFarFromTheOptimum() {
        assertErrorShrinksGeometrically(paired(20, 0.05, 0.8, 0.15), SimulatedLandscape.OPTIMUM / 30);
        // up only from a tenth of 1/3x: in effect the same 1/30x start
        assertErrorShrinksGeometrically(upOnly(20, 0.05, 0.8, 0.15), SimulatedLandscape.OPTIMUM / 3);
    }

    /** The level starts 30x below the optimum (start rate x initial-scale). */
    private static void assertErrorShrinksGeometrically(AdaLrsSettings settings, double baseLr) {
        int seeds = 10;
        double[] meanLogError = new double[3];
        for (long seed = 1; seed <= seeds; seed++) {
            SimulatedLandscape.Run r = SimulatedLandscape.run(settings, baseLr, 4000, 100, 0.0005, 0.005, 500, seed);
            for (int i = 0; i < 3; i++) {
                meanLogError[i] += Math.abs(Math.log(r.levels().get(i) / SimulatedLandscape.OPTIMUM)) / seeds;
            }
        }
        // each of the first three rounds should accept an upscale by α′ = 3, 2.97, 2.94 (30 ->
        // 10 -> 3.4 -> 1.15 times off): require the distance to shrink by at least a factor 2.5
        // per round
        double previous = Math.log(30);
        for (int i = 0; i < 3; i++) {
            assertTrue(meanLogError[i] <= previous - Math.log(2.5), java.util.Arrays.toString(meanLogError));
            previous = meanLogError[i];
        }
    }

    @Test
    void sameInputsSameDecisionsAndAControllerRestoredFromJsonDecidesTheSame() throws Exception {
        SimulatedLandscape.Run a =
                SimulatedLandscape.run(paired(10, 0.05, 0.8, 0.15), 0.001, 1500, 50, 0.0005, 0.005, 300, 7);
        SimulatedLandscape.Run b =
                SimulatedLandscape.run(paired(10, 0.05, 0.8, 0.15), 0.001, 1500, 50, 0.0005, 0.005, 300, 7);
        assertEquals(a.levels(), b.levels());
        assertEquals(a.outcomes(), b.outcomes());
        assertTrue(a.outcomes().size() >= 3, "decisions " + a.outcomes());

        // one controller restored from the other's JSON in the middle of a trial decides the same
        AdaLrsSettings s = paired(5, 0, 1, 0.5);
        AdaLrsController one = new AdaLrsController(s, 0, 300);
        AdaLrsController two = null;
        ObjectMapper json = new ObjectMapper();
        long computed = 0;
        for (long step = 1; step <= 300; step++, computed++) {
            double loss = 8 - 0.01 * step + 0.02 * Math.sin(step * 1.7) + (one.level() - 1) * 0.001 * (step % 5);
            if (computed == 40) {
                assertEquals("trial", one.phase(), "the copy must be taken inside a trial");
                two = new AdaLrsController(s, 0, 300);
                two.restore(json.readValue(json.writeValueAsString(one.state()), AdaLrsState.class));
            }
            Decision d1 = one.observe(step, loss);
            if (two != null) {
                Decision d2 = two.observe(step, loss);
                assertEquals(d1.action(), d2.action(), "step " + step);
                assertEquals(d1.resumeAt(), d2.resumeAt(), "step " + step);
                assertEquals(String.valueOf(d1.event()), String.valueOf(d2.event()), "step " + step);
            }
            if (d1.resumeAt() >= 0) {
                step = d1.resumeAt();
            }
        }
    }

    /** The error {@code pacer.adalrs} with {@code hocon} over the reference gives. */
    private static String settingsError(String hocon) {
        return org.junit.jupiter.api.Assertions.assertThrows(
                        dev.pacer.config.ConfigError.class,
                        () -> AdaLrsSettings.from(com.typesafe.config.ConfigFactory.parseString(hocon)
                                .withFallback(com.typesafe.config.ConfigFactory.defaultReference()
                                        .getConfig("pacer"))))
                .getMessage();
    }

    @Test
    void settingsRefuseAnUnknownComparisonAndABudgetOutsideZeroToOne() {
        assertEquals(
                "pacer.adalrs.comparison = \"pairs\": expected one of paired, velocity",
                settingsError("adalrs.comparison = pairs"));
        String m = settingsError("adalrs { comparison = paired, max-extra-compute = 1.5 }");
        assertTrue(m.startsWith("pacer.adalrs.max-extra-compute = 1.5"), m);
        m = settingsError("adalrs { comparison = velocity, during-warmup = true }");
        assertTrue(
                m.startsWith("pacer.adalrs.during-warmup = true needs comparison = \"paired\" (now \"velocity\")"), m);
    }

    @Test
    void upOnlyALosingTrialNarrowsTheNextStepUpInsteadOfTryingLower() {
        AdaLrsController c = new AdaLrsController(upOnly(4, 0, 1, 0.5), 0, 1000);
        assertEquals(0.1, c.level(), 1e-12); // initial-scale
        assertEquals(Action.SNAPSHOT, c.observe(1, 5.0).action());
        assertEquals(Action.REPLAY, feed(c, 1, 4.9, 4.8, 4.7, 4.6).action());
        assertEquals(0.3, c.level(), 1e-12); // 0.1 x α′ (3 in round 0)
        // the trial ends behind on steps 4 and 5: differences +0.1 and +0.2 (mean 0.15, error 0.05)
        Decision reject = feed(c, 1, 4.85, 4.75, 4.8, 4.8);
        assertEquals(
                "reject", reject.event().get("outcome").asText(), reject.event().toString());
        assertEquals(0.1, c.level(), 1e-12);
        // the next trial goes up again, by the square root of α′ = 2.97 (round 1)
        assertEquals(Action.REPLAY, feed(c, 5, 4.5, 4.4, 4.3, 4.2).action());
        assertEquals(0.1 * Math.sqrt(3 * 0.99), c.level(), 1e-12);
        // a neutral outcome (differences -0.01 and +0.01) is no evidence: the same step up again
        Decision neutral = feed(c, 5, 4.5, 4.4, 4.29, 4.21);
        assertEquals(
                "neutral",
                neutral.event().get("outcome").asText(),
                neutral.event().toString());
        assertEquals(Action.REPLAY, feed(c, 9, 4.1, 4.0, 3.9, 3.8).action());
        assertEquals(0.1 * Math.sqrt(3 * 0.99 * 0.99), c.level(), 1e-12);
        // each further loss narrows: fourth, then eighth root of α′
        assertEquals(
                "reject", feed(c, 9, 4.2, 4.2, 4.2, 4.2).event().get("outcome").asText());
        assertEquals(Action.REPLAY, feed(c, 13, 3.7, 3.6, 3.5, 3.4).action());
        assertEquals(0.1 * Math.pow(3 * Math.pow(0.99, 3), 0.25), c.level(), 1e-12);
        assertEquals(
                "reject", feed(c, 13, 3.8, 3.8, 3.8, 3.8).event().get("outcome").asText());
        assertEquals(Action.REPLAY, feed(c, 17, 3.3, 3.2, 3.1, 3.0).action());
        assertEquals(0.1 * Math.pow(3 * Math.pow(0.99, 4), 0.125), c.level(), 1e-12);
        // rejected: the next step up would be 2.85^(1/16) < 1.1, so the search ends at the level
        assertEquals(
                "reject", feed(c, 17, 3.4, 3.4, 3.4, 3.4).event().get("outcome").asText());
        for (long step = 22; step < 100; step++) {
            assertEquals(Action.NONE, c.observe(step, 3.0).action(), "step " + step);
        }
        assertEquals(0.1, c.level(), 1e-12);
        assertEquals("outside", c.phase());
    }

    @Test
    void upOnlyTheSafeguardsStillLowerTheLevel() {
        // a non-finite loss on the trial: back to the base branch at the old level, and with
        // upscaling stopped an up-only search has no trial left
        AdaLrsController c = divergedOnTheTrial(upOnly(4, 0, 1, 0.5));
        assertEquals(0.1, c.level(), 1e-12);
        for (long step = 6; step < 60; step++) {
            assertEquals(Action.NONE, c.observe(step, 4.0).action(), "step " + step);
        }
        assertEquals("outside", c.phase());

        // a loss that rises in two consecutive base windows downscales by β′
        AdaLrsController r = new AdaLrsController(upOnly(4, 0, 1, 0.5), 0, 1000);
        String outcome = "";
        double levelBefore = Double.NaN;
        for (long step = 1; step < 200 && !"rising".equals(outcome); step++) {
            levelBefore = r.level();
            Decision x = r.observe(step, 4.0 + 0.1 * step); // the same loss on both branches
            outcome = x.event() == null ? "" : x.event().get("outcome").asText();
            if (x.resumeAt() >= 0) {
                step = x.resumeAt();
            }
        }
        assertEquals("rising", outcome);
        assertTrue(r.level() < levelBefore && r.level() < 0.1, "level " + levelBefore + " -> " + r.level());
    }

    @Test
    void upOnlyFromATenthOfTheStartFindsTheOptimumFromThirtyTimesTooSmallAndTenTimesTooLarge() {
        // initial-scale 0.1: the starts are in effect 300x too small and at the optimum. At 1/300x
        // the landscape's descent per step (7e-6) is far below its default evaluation noise
        // (5e-4), so no comparison could see a difference; this runs at 5e-5. Real runs at that
        // rate see paired differences 14x their standard errors (docs/adalrs.md).
        SimulatedLandscape.assertRecoversFromThirtyTimesTooSmallAndTenTimesTooLarge(
                upOnly(20, 0.05, 0.8, 0.15), 0.00005, 0.005);
    }

    @Test
    void duringWarmupTheSearchStartsAtPhaseStartInsteadOfAfterWarmup() {
        AdaLrsSettings inside = new AdaLrsSettings(
                true,
                4,
                3,
                2,
                0.99,
                0.02,
                0.4,
                1e-3,
                1e3,
                1.0,
                1.0,
                AdaLrsSettings.Trend.INVERSE_TIME,
                true,
                AdaLrsSettings.Comparison.PAIRED,
                0.15,
                true,
                true,
                4,
                false,
                0,
                false,
                false,
                0.5,
                false,
                0,
                3.162);
        AdaLrsController c = new AdaLrsController(inside, 100, 1000);
        for (long step = 1; step < 20; step++) {
            assertEquals(Action.NONE, c.observe(step, 5.0).action(), "step " + step);
        }
        assertEquals(Action.SNAPSHOT, c.observe(20, 5.0).action(), "phase-start 0.02 of 1000 steps, warmup 100");
        AdaLrsController after = new AdaLrsController(paired(4, 0.02, 0.4, 0.15), 100, 1000);
        for (long step = 1; step < 100; step++) {
            assertEquals(Action.NONE, after.observe(step, 5.0).action(), "step " + step);
        }
        assertEquals(Action.SNAPSHOT, after.observe(100, 5.0).action());
    }
}
