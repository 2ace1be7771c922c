package dev.pacer.adalrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.pacer.adalrs.AdaLrsController.Action;
import dev.pacer.adalrs.AdaLrsController.Decision;
import dev.pacer.config.ConfigError;
import dev.pacer.rates.StepRates;
import org.junit.jupiter.api.Test;

/**
 * The paired search's climb from below: its short climb window, its first trial at the start
 * rate, and a long first window that starts inside warmup.
 */
class PairedClimbTest {

    /** Up-only from a tenth of the start rate, search from step 1 to the end, half the steps as budget. */
    static AdaLrsSettings climbing(int window, int climbWindow, boolean firstTrialAtStartRate, double margin) {
        return new AdaLrsSettings(
                true,
                window,
                3,
                2,
                0.99,
                0,
                1,
                1e-3,
                1e3,
                0.1,
                margin,
                AdaLrsSettings.Trend.INVERSE_TIME,
                true,
                AdaLrsSettings.Comparison.PAIRED,
                0.5,
                false,
                false,
                climbWindow,
                firstTrialAtStartRate,
                0,
                false,
                false,
                0.5,
                false,
                0,
                3.162);
    }

    /**
     * reference.conf's settings with {@code hocon} (inside pacer.adalrs) on top, without the warmup
     * race unless {@code hocon} sets race-steps: these tests are about the rounds after it.
     */
    static AdaLrsSettings settings(String hocon) {
        return AdaLrsSettings.from(ConfigFactory.parseString("adalrs { enabled = true, race-steps = 0, " + hocon + " }")
                .withFallback(ConfigFactory.defaultReference().getConfig("pacer")));
    }

    /** Feeds {@code losses} as steps from + 1, from + 2, ...; every decision but the last must be NONE. */
    static Decision feed(AdaLrsController c, long from, double... losses) {
        Decision d = null;
        for (int i = 0; i < losses.length; i++) {
            d = c.observe(from + 1 + i, losses[i]);
            if (i < losses.length - 1) {
                assertEquals(Action.NONE, d.action(), "step " + (from + 1 + i));
            }
        }
        return d;
    }

    @Test
    void windowsAreShortWhileEveryTrialWinsAndFullFromTheFirstThatDoesNot() {
        AdaLrsController c = new AdaLrsController(climbing(8, 4, false, 1), 0, 1000);
        assertEquals(Action.SNAPSHOT, c.observe(1, 5.0).action());
        // a base window of 4 steps (the climb window), not 8
        Decision replay = feed(c, 1, 4.9, 4.8, 4.7, 4.6);
        assertEquals(Action.REPLAY, replay.action());
        // the trial's branch is ahead on steps 4 and 5 (differences -0.1 and -0.2): accept
        Decision accept = feed(c, 1, 4.85, 4.75, 4.6, 4.4);
        assertEquals(
                "accept", accept.event().get("outcome").asText(), accept.event().toString());
        assertEquals(2, accept.event().get("compared_steps").asInt());
        assertEquals(4, accept.event().get("extra_steps").asInt());
        assertEquals(0.3, accept.event().get("trial_level").asDouble(), 1e-12);
        // still climbing: 4 steps again; this trial loses
        assertEquals(Action.REPLAY, feed(c, 5, 4.3, 4.2, 4.1, 4.0).action());
        Decision reject = feed(c, 5, 4.3, 4.2, 4.3, 4.3);
        assertEquals(
                "reject", reject.event().get("outcome").asText(), reject.event().toString());
        // refining from now on: the next base window takes the full 8 steps
        assertEquals(
                Action.REPLAY,
                feed(c, 9, 4.0, 3.9, 3.8, 3.7, 3.6, 3.5, 3.4, 3.3).action());
        assertEquals(4 + 4 + 8, c.state().extraSteps, "two climb windows and one full window replayed");
        Decision third = feed(c, 9, 4.0, 3.9, 3.8, 3.7, 3.6, 3.5, 3.4, 3.3);
        assertEquals(4, third.event().get("compared_steps").asInt(), "second half of 8 steps");
        assertEquals(16, third.event().get("extra_steps").asInt());
    }

    @Test
    void theFirstTrialTriesTheStartRateAndALosingOneHalvesTheStepInLogs() {
        AdaLrsController c = new AdaLrsController(climbing(4, 4, true, 1), 0, 1000);
        c.observe(1, 5.0);
        assertEquals(Action.REPLAY, feed(c, 1, 4.9, 4.8, 4.7, 4.6).action());
        assertEquals(1.0, c.level(), 1e-12, "0.1 x 10: the start rate itself");
        // behind by 0.1 and 0.2 on steps 4 and 5 (below the highest loss so far, so upscaling goes on)
        assertEquals(
                "reject", feed(c, 1, 4.85, 4.8, 4.8, 4.8).event().get("outcome").asText());
        assertEquals(0.1, c.level(), 1e-12);
        // next: 0.1 x sqrt(10)
        assertEquals(Action.REPLAY, feed(c, 5, 4.5, 4.4, 4.3, 4.2).action());
        assertEquals(Math.sqrt(0.1), c.level(), 1e-12);
        Decision accept = feed(c, 5, 4.45, 4.3, 4.1, 4.0);
        assertEquals(
                "accept", accept.event().get("outcome").asText(), accept.event().toString());
        // after a win the steps are α′, narrowed once (shrink 1): sqrt(3 x 0.99²)
        assertEquals(Action.REPLAY, feed(c, 9, 3.9, 3.8, 3.7, 3.6).action());
        assertEquals(Math.sqrt(0.1) * Math.sqrt(3 * 0.99 * 0.99), c.level(), 1e-12);
    }

    @Test
    void withoutTheSettingTheFirstTrialIsAlphaAndAboveTheStartRateItIsAlphaToo() {
        AdaLrsController c = new AdaLrsController(climbing(4, 4, false, 1), 0, 1000);
        c.observe(1, 5.0);
        feed(c, 1, 4.9, 4.8, 4.7, 4.6);
        assertEquals(0.3, c.level(), 1e-12);

        AdaLrsSettings fromAbove = new AdaLrsSettings(
                true,
                4,
                3,
                2,
                0.99,
                0,
                1,
                1e-3,
                1e3,
                2.0,
                1,
                AdaLrsSettings.Trend.INVERSE_TIME,
                true,
                AdaLrsSettings.Comparison.PAIRED,
                0.5,
                false,
                false,
                4,
                true,
                0,
                false,
                false,
                0.5,
                false,
                0,
                3.162);
        AdaLrsController above = new AdaLrsController(fromAbove, 0, 1000);
        above.observe(1, 5.0);
        feed(above, 1, 4.9, 4.8, 4.7, 4.6);
        assertEquals(6.0, above.level(), 1e-12, "a level at or above 1 climbs by α′");
    }

    /** The default search (paired, up only from a tenth) with {@code gallop}, from step 1 of 1000. */
    private static AdaLrsController galloping(boolean gallop) {
        return new AdaLrsController(
                settings("comparison = paired, window = 4, phase-start = 0, max-extra-compute = 0.5, gallop = "
                        + gallop),
                0,
                1000);
    }

    @Test
    void gallopLengthensTheStepWhileTrialsWinAndThenBisectsTheBracket() {
        AdaLrsController c = galloping(true);
        double a0 = 3;
        double a1 = 3 * 0.99;
        double a2 = 3 * 0.99 * 0.99;
        assertEquals(Action.SNAPSHOT, c.observe(1, 5.0).action());
        // round 0: 0.1 x α′
        assertEquals(Action.REPLAY, feed(c, 1, 4.9, 4.8, 4.7, 4.6).action());
        assertEquals(0.1 * a0, c.level(), 1e-12);
        assertEquals("accept", outcome(feed(c, 1, 4.85, 4.75, 4.6, 4.4)));
        // round 1: the last step (α′ of round 0) times α′ of round 1
        assertEquals(Action.REPLAY, feed(c, 5, 4.3, 4.2, 4.1, 4.0).action());
        double won = 0.1 * a0 * (a0 * a1);
        assertEquals(won, c.level(), 1e-12);
        assertEquals("accept", outcome(feed(c, 5, 4.25, 4.15, 4.0, 3.8)));
        // round 2: longer again; this trial loses
        assertEquals(Action.REPLAY, feed(c, 9, 3.7, 3.6, 3.5, 3.4).action());
        double lastStep = a0 * a1 * a2;
        assertEquals(won * lastStep, c.level(), 1e-12);
        assertEquals("reject", outcome(feed(c, 9, 3.7, 3.6, 3.7, 3.7)));
        assertEquals(won, c.level(), 1e-12, "the base branch goes on at the last winning level");
        // after a loss: each round takes the square root of the last step, whatever its outcome
        assertEquals(Action.REPLAY, feed(c, 13, 3.3, 3.2, 3.1, 3.0).action());
        assertEquals(won * Math.sqrt(lastStep), c.level(), 1e-12);
        assertEquals("accept", outcome(feed(c, 13, 3.25, 3.15, 3.0, 2.8)));
        double bracketLow = won * Math.sqrt(lastStep);
        assertEquals(Action.REPLAY, feed(c, 17, 2.7, 2.6, 2.5, 2.4).action());
        assertEquals(bracketLow * Math.pow(lastStep, 0.25), c.level(), 1e-12);
        assertEquals("reject", outcome(feed(c, 17, 2.7, 2.6, 2.7, 2.7)));
        assertEquals(Action.REPLAY, feed(c, 21, 2.3, 2.2, 2.1, 2.0).action());
        assertEquals(bracketLow * Math.pow(lastStep, 0.125), c.level(), 1e-12);
    }

    @Test
    void gallopRepeatsTheStepAfterANeutralTrialWhileNoTrialHasLost() {
        AdaLrsController c = galloping(true);
        c.observe(1, 5.0);
        feed(c, 1, 4.9, 4.8, 4.7, 4.6);
        assertEquals("accept", outcome(feed(c, 1, 4.85, 4.75, 4.6, 4.4)));
        feed(c, 5, 4.3, 4.2, 4.1, 4.0);
        double step = c.level() / 0.3;
        // differences +0.05 and -0.05: no evidence either way
        assertEquals("neutral", outcome(feed(c, 5, 4.3, 4.2, 4.15, 3.95)));
        assertEquals(0.3, c.level(), 1e-12);
        feed(c, 9, 3.9, 3.8, 3.7, 3.6);
        assertEquals(0.3 * step, c.level(), 1e-12, "the same step again");
    }

    @Test
    void withoutGallopTheSameWinsStepByAlphaEachRound() {
        AdaLrsController c = galloping(false);
        c.observe(1, 5.0);
        feed(c, 1, 4.9, 4.8, 4.7, 4.6);
        assertEquals("accept", outcome(feed(c, 1, 4.85, 4.75, 4.6, 4.4)));
        feed(c, 5, 4.3, 4.2, 4.1, 4.0);
        assertEquals(0.3 * 3 * 0.99, c.level(), 1e-12);
    }

    @Test
    void gallopClimbsFromThreeHundredTimesTooSmallFasterAndStillFindsTheOptimum() {
        // the landscape of PairedComparisonTest's up-only recovery (evaluation noise 5e-5, batch
        // noise 5e-3): the 1/30x start is 300x too small after initial-scale 0.1
        AdaLrsSettings steady = settings("comparison = paired, window = 20, phase-start = 0.05, phase-end = 0.8");
        AdaLrsSettings gallop =
                settings("comparison = paired, window = 20, phase-start = 0.05, phase-end = 0.8, gallop = true");
        SimulatedLandscape.assertRecoversFromThirtyTimesTooSmallAndTenTimesTooLarge(gallop, 0.00005, 0.005);
        double steadyError = 0;
        double gallopError = 0;
        for (long seed = 1; seed <= 10; seed++) {
            double lr = SimulatedLandscape.OPTIMUM / 30;
            SimulatedLandscape.Run s = SimulatedLandscape.run(steady, lr, 4000, 100, 0.00005, 0.005, 500, seed);
            SimulatedLandscape.Run g = SimulatedLandscape.run(gallop, lr, 4000, 100, 0.00005, 0.005, 500, seed);
            // the level after two rounds: steady 300/3/2.97 = 34x too small, gallop 300/3/8.9 = 11x
            steadyError += Math.abs(Math.log(s.levels().get(1) / SimulatedLandscape.OPTIMUM)) / 10;
            gallopError += Math.abs(Math.log(g.levels().get(1) / SimulatedLandscape.OPTIMUM)) / 10;
        }
        assertTrue(
                gallopError <= steadyError - Math.log(2.5),
                "mean |log error| after two rounds: gallop " + gallopError + ", steady " + steadyError);
    }

    @Test
    void gallopNeedsThePairedUpOnlySearch() {
        ConfigError e = assertThrows(ConfigError.class, () -> settings("gallop = true, comparison = velocity"));
        assertTrue(
                e.getMessage().startsWith("pacer.adalrs.gallop = true needs comparison = \"paired\" and down-trials"),
                e.getMessage());
        assertThrows(ConfigError.class, () -> settings("gallop = true, comparison = paired, down-trials = true"));
    }

    private static String outcome(Decision d) {
        return d.event().get("outcome").asText();
    }

    /** The level {@code c} gives the next step (what the training loop multiplies the base rate by). */
    private static double shapedLevel(AdaLrsController c, long step) {
        StepRates rates = new StepRates(1.0, 1);
        c.shape(step, rates);
        return rates.level();
    }

    @Test
    void compareAnnealedLowersTheLevelLinearlyOverTheComparedHalfInBothBranches() {
        AdaLrsController c = new AdaLrsController(
                settings("comparison = paired, window = 8, phase-start = 0, compare-annealed = true"), 0, 1000);
        assertEquals(0.1, shapedLevel(c, 1), 1e-15, "outside a window: the level itself");
        assertEquals(Action.SNAPSHOT, c.observe(1, 5.0).action());
        // window of 8: indices 0-3 at the level, then (8 - i) / 5 for i = 4..7
        double[] factors = {1, 1, 1, 1, 4 / 5.0, 3 / 5.0, 2 / 5.0, 1 / 5.0};
        double[] base = {4.9, 4.8, 4.7, 4.6, 4.5, 4.4, 4.3, 4.2};
        for (int i = 0; i < 8; i++) {
            assertEquals(0.1 * factors[i], shapedLevel(c, 2 + i), 1e-15, "base window index " + i);
            Decision d = c.observe(2 + i, base[i]);
            assertEquals(i < 7 ? Action.NONE : Action.REPLAY, d.action(), "index " + i);
        }
        double trial = c.level();
        assertEquals(0.3, trial, 1e-12);
        for (int i = 0; i < 8; i++) {
            assertEquals(trial * factors[i], shapedLevel(c, 2 + i), 1e-15, "trial window index " + i);
            c.observe(2 + i, base[i] - 0.01 * i);
        }
        // the next round's base window starts again at the full level
        assertEquals(c.level(), shapedLevel(c, 10), 1e-15);
    }

    @Test
    void withoutCompareAnnealedWindowsRunAtTheLevel() {
        AdaLrsController c =
                new AdaLrsController(settings("comparison = paired, window = 8, phase-start = 0"), 0, 1000);
        c.observe(1, 5.0);
        for (int i = 0; i < 8; i++) {
            assertEquals(0.1, shapedLevel(c, 2 + i), 1e-15, "index " + i);
            c.observe(2 + i, 4.9 - 0.1 * i);
        }
        assertThrows(ConfigError.class, () -> settings("compare-annealed = true, comparison = velocity"));
    }

    /**
     * One round of window 8 from step 1 (base losses 4.9 .. 4.2, level 0.1) whose up trial to 0.3
     * has the given paired differences at window indices 4-7 (0 before); returns the decision.
     */
    private static Decision upTrialWithDifferences(String hocon, double... secondHalf) {
        AdaLrsController c = new AdaLrsController(settings("window = 8, phase-start = 0, " + hocon), 0, 1000);
        c.observe(1, 5.0);
        double[] base = {4.9, 4.8, 4.7, 4.6, 4.5, 4.4, 4.3, 4.2};
        assertEquals(Action.REPLAY, feed(c, 1, base).action());
        assertEquals(0.3, c.level(), 1e-12);
        double[] trial = base.clone();
        for (int i = 0; i < 4; i++) {
            trial[4 + i] += secondHalf[i];
        }
        return feed(c, 1, trial);
    }

    @Test
    void compareTailDecidesOnTheLastPartOfTheWindowOnly() {
        // behind by 0.2 at indices 4 and 5, ahead by 0.05 and 0.07 at 6 and 7
        double[] d = {0.2, 0.2, -0.05, -0.07};
        // tail 0.25 of 8: indices 6, 7; mean -0.06, sample sd 0.02 / sqrt 2, error 0.01: accept
        Decision tail = upTrialWithDifferences("compare-tail = 0.25", d);
        assertEquals("accept", outcome(tail), tail.event().toString());
        assertEquals(-0.06, tail.event().get("paired_difference").asDouble(), 1e-12);
        assertEquals(0.01, tail.event().get("paired_error").asDouble(), 1e-12);
        assertEquals(2, tail.event().get("compared_steps").asInt());
        // the default second half: mean +0.07 within its error sqrt(0.0678 / 3 / 4) = 0.0752
        Decision half = upTrialWithDifferences("", d);
        assertEquals("neutral", outcome(half), half.event().toString());
        assertEquals(0.07, half.event().get("paired_difference").asDouble(), 1e-12);
        assertEquals(4, half.event().get("compared_steps").asInt());
    }

    @Test
    void acceptNeutralUpTakesAnUpTrialThatIsNotClearlyBehind() {
        // mean +0.005 within its error sqrt(0.0005 / 3 / 4) = 0.00645
        double[] tie = {0.01, -0.01, 0.02, 0.0};
        assertEquals("neutral", outcome(upTrialWithDifferences("", tie)));
        Decision taken = upTrialWithDifferences("accept-neutral-up = true", tie);
        assertEquals("accept", outcome(taken), taken.event().toString());
        assertEquals(0.3, taken.event().get("new_level").asDouble(), 1e-12);
        assertEquals(Action.SNAPSHOT, taken.action(), "the trial's branch goes on");
        // clearly behind (mean +0.055, error 0.0029) is still a reject
        Decision behind = upTrialWithDifferences("accept-neutral-up = true", 0.05, 0.06, 0.05, 0.06);
        assertEquals("reject", outcome(behind), behind.event().toString());
        assertEquals(Action.ROLLBACK, behind.action());
    }

    @Test
    void compareTailOutsideZeroToOneOrWithTheVelocityComparisonIsRefused() {
        for (String bad : new String[] {"compare-tail = 0", "compare-tail = 1.5", "compare-tail = -0.25"}) {
            ConfigError e = assertThrows(ConfigError.class, () -> settings(bad));
            assertTrue(e.getMessage().startsWith("pacer.adalrs.compare-tail = "), e.getMessage());
        }
        ConfigError tail =
                assertThrows(ConfigError.class, () -> settings("compare-tail = 0.25, comparison = velocity"));
        assertTrue(
                tail.getMessage().startsWith("pacer.adalrs.compare-tail = 0.25 needs comparison"), tail.getMessage());
        ConfigError up =
                assertThrows(ConfigError.class, () -> settings("accept-neutral-up = true, comparison = velocity"));
        assertTrue(up.getMessage().startsWith("pacer.adalrs.accept-neutral-up = true needs"), up.getMessage());
    }

    @Test
    void aClimbWindowOutsideFourToWindowIsRefused() {
        ConfigError e = assertThrows(ConfigError.class, () -> climbing(15, 3, false, 1));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "pacer.adalrs.climb-window = 3: expected 0 (= window) or a window in [4, window = 15]"),
                e.getMessage());
        assertThrows(ConfigError.class, () -> climbing(15, 16, false, 1));
    }

    @Test
    void theDefaultClimbWindowFollowsTheWindow() {
        // climb-window = 0 (the default): a window of 5 alone is valid, and the climb's windows are 5 long
        AdaLrsController c =
                new AdaLrsController(settings("comparison = paired, window = 5, phase-start = 0"), 0, 1000);
        assertEquals(5, c.windowLength());
    }

    @Test
    void theFirstRoundTakesFirstWindowOfThePlannedStepsAndMayStartInsideWarmup() {
        // 200 planned steps, warmup 20: the search starts at step 5 (phase-start 0.025), the first
        // round's windows are 20 steps (first-window 0.1), then window (8)
        AdaLrsSettings s =
                settings("during-warmup = true, phase-start = 0.025, first-window = 0.1, window = 8, climb-window = 8");
        AdaLrsController c = new AdaLrsController(s, 20, 200);
        for (long step = 1; step < 5; step++) {
            assertEquals(Action.NONE, c.observe(step, 5.0).action(), "step " + step);
        }
        assertEquals(Action.SNAPSHOT, c.observe(5, 5.0).action());
        double[] base = new double[20];
        double[] ahead = new double[20];
        for (int i = 0; i < 20; i++) {
            base[i] = 4.9 - 0.01 * i;
            ahead[i] = base[i] - 0.002 * i; // the trial pulls ahead as the window goes on
        }
        Decision replay = feed(c, 5, base);
        assertEquals(Action.REPLAY, replay.action(), "after 20 base steps");
        assertEquals(5, replay.resumeAt());
        Decision accept = feed(c, 5, ahead);
        assertEquals(
                "accept", accept.event().get("outcome").asText(), accept.event().toString());
        assertEquals(10, accept.event().get("compared_steps").asInt(), "the second half of 20 steps");
        assertEquals(20, accept.event().get("extra_steps").asInt());
        // the next round's base window is window = 8 steps long, from step 25 on
        Decision next = feed(c, 25, 4.5, 4.49, 4.48, 4.47, 4.46, 4.45, 4.44, 4.43);
        assertEquals(Action.REPLAY, next.action());
        assertEquals(25, next.resumeAt());
    }

    @Test
    void aFirstWindowNeedsThePairedComparisonAndAFractionBelowOne() {
        ConfigError e = assertThrows(ConfigError.class, () -> settings("first-window = 0.1, comparison = velocity"));
        assertTrue(
                e.getMessage().startsWith("pacer.adalrs.first-window = 0.1 needs comparison = \"paired\""),
                e.getMessage());
        e = assertThrows(ConfigError.class, () -> settings("first-window = 1"));
        assertTrue(e.getMessage().startsWith("pacer.adalrs.first-window"), e.getMessage());
    }
}
