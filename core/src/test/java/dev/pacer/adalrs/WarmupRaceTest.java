package dev.pacer.adalrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.adalrs.AdaLrsController.Action;
import dev.pacer.adalrs.AdaLrsController.Decision;
import dev.pacer.config.ConfigError;
import org.junit.jupiter.api.Test;

/**
 * The warmup race ({@code race-steps}): from the first completed step, a branch at initial-scale
 * and one at initial-scale / race-factor train the same steps; the lower goes on only when it is
 * clearly ahead. Losses are chosen by hand, so each decision is computed here, not measured.
 */
class WarmupRaceTest {

    /**
     * A race of 4 steps from level 1; warmup 10 of 100 steps, so the search starts at step 10, and
     * 50 replayed steps of budget.
     */
    private static AdaLrsController racing(String more) {
        AdaLrsSettings s = PairedClimbTest.settings(
                "initial-scale = 1, race-steps = 4, race-factor = 4, max-extra-compute = 0.5, " + more);
        return new AdaLrsController(s, 10, 100);
    }

    /** Feeds {@code losses} as steps from + 1, from + 2, ...; every decision but the last must be NONE. */
    private static Decision feed(AdaLrsController c, long from, double... losses) {
        Decision d = null;
        for (int i = 0; i < losses.length; i++) {
            d = c.observe(from + 1 + i, losses[i]);
            if (i < losses.length - 1) {
                assertEquals(Action.NONE, d.action(), "step " + (from + 1 + i));
            }
        }
        return d;
    }

    /** Runs the race's base branch (steps 2-5) and returns the decision that replays it. */
    private static Decision baseBranch(AdaLrsController c) {
        assertEquals(Action.SNAPSHOT, c.observe(1, 5.0).action(), "the race starts after the first step");
        assertEquals("base", c.phase());
        Decision replay = feed(c, 1, 4.9, 4.8, 4.7, 4.6);
        assertEquals(Action.REPLAY, replay.action());
        assertEquals(1, replay.resumeAt(), "the lower branch replays steps 2-5 from the state after step 1");
        assertEquals(0.25, c.level(), 1e-15, "the lower branch runs at initial-scale / race-factor");
        return replay;
    }

    @Test
    void theLowerBranchGoesOnWhenItIsClearlyAheadAndTheSearchStartsAtItsPhase() {
        AdaLrsController c = racing("");
        baseBranch(c);
        // compared tail: steps 4 and 5, differences -0.1 and -0.2: mean -0.15, standard error
        // |(-0.1) - (-0.2)| / 2 = 0.05, margin 1 x 0.05: clearly ahead
        Decision d = feed(c, 1, 4.9, 4.8, 4.6, 4.4);
        assertEquals(Action.NONE, d.action(), "the lower branch's weights are the current ones");
        assertEquals("accept", d.event().get("outcome").asText(), d.event().toString());
        assertTrue(d.event().get("race").asBoolean());
        assertEquals(-0.15, d.event().get("paired_difference").asDouble(), 1e-12);
        assertEquals(0.05, d.event().get("paired_error").asDouble(), 1e-12);
        assertEquals(4, d.event().get("extra_steps").asInt());
        assertEquals(0.25, c.level(), 1e-15);
        // before the search's phase (step 10) the run waits outside, with no snapshot
        assertEquals("outside", c.phase());
        assertFalse(c.snapshotValid());
        assertEquals(Action.NONE, feed(c, 5, 4.3, 4.2, 4.1, 4.0).action());
        assertEquals(Action.SNAPSHOT, c.observe(10, 3.9).action(), "the search's first round");
        assertEquals(15, c.windowLength(), "the search's own window, not the race's");
    }

    @Test
    void aRaceTheLowerBranchDoesNotClearlyWinKeepsTheRateGiven() {
        AdaLrsController c = racing("");
        baseBranch(c);
        // differences -0.1 and +0.1 on the compared steps: mean 0, within the margin
        Decision d = feed(c, 1, 4.9, 4.8, 4.6, 4.7);
        assertEquals(Action.ROLLBACK, d.action(), "back to the higher branch's end, kept as the snapshot");
        assertEquals("neutral", d.event().get("outcome").asText(), d.event().toString());
        assertEquals(1.0, c.level(), 1e-15);
        // the lower branch clearly behind
        AdaLrsController behind = racing("");
        baseBranch(behind);
        Decision r = feed(behind, 1, 4.9, 4.8, 4.9, 4.8);
        assertEquals("reject", r.event().get("outcome").asText());
        assertEquals(1.0, behind.level(), 1e-15);
    }

    @Test
    void aRaceThatEndsInsideTheSearchPhaseStartsTheFirstRoundAtOnce() {
        AdaLrsController c = racing("during-warmup = true, phase-start = 0");
        baseBranch(c);
        Decision d = feed(c, 1, 4.9, 4.8, 4.6, 4.4);
        assertEquals(Action.SNAPSHOT, d.action(), "the winner's state is the first round's snapshot");
        assertEquals("base", c.phase());
        assertEquals(15, c.windowLength());
        assertFalse(c.s.racing);
    }

    @Test
    void aRunResumedInsideTheRaceDecidesAsAnUninterruptedOne() {
        AdaLrsController c = racing("");
        baseBranch(c);
        AdaLrsController resumed = racing("");
        resumed.restore(c.state());
        Decision a = feed(c, 1, 4.9, 4.8, 4.6, 4.4);
        Decision b = feed(resumed, 1, 4.9, 4.8, 4.6, 4.4);
        assertEquals(a.action(), b.action());
        assertEquals(a.event(), b.event());
        assertEquals(c.level(), resumed.level());
        assertEquals(c.phase(), resumed.phase());
    }

    @Test
    void theRaceIsNotAnnealed() {
        AdaLrsController c = racing("compare-annealed = true");
        c.observe(1, 5.0);
        feed(c, 1, 4.9, 4.8, 4.7);
        assertEquals(1.0, c.annealFactor(), 0, "fourth step of the race's base branch");
    }

    @Test
    void withoutRaceStepsTheSearchStartsAtItsPhase() {
        AdaLrsController c = new AdaLrsController(PairedClimbTest.settings("initial-scale = 1"), 10, 100);
        assertEquals(Action.NONE, c.observe(1, 5.0).action());
        assertEquals("outside", c.phase());
    }

    @Test
    void aRaceTheBudgetCannotHoldOrWithoutThePairedComparisonIsRefused() {
        AdaLrsSettings s = PairedClimbTest.settings("race-steps = 4");
        // max-extra-compute 0.15 of 20 steps: 3 replayed steps
        ConfigError budget = assertThrows(ConfigError.class, () -> new AdaLrsController(s, 2, 20));
        assertTrue(budget.getMessage().contains("pacer.adalrs.race-steps = 4"), budget.getMessage());
        assertTrue(budget.getMessage().contains("allows 3"), budget.getMessage());
        assertThrows(ConfigError.class, () -> PairedClimbTest.settings("race-steps = 3"));
        assertThrows(ConfigError.class, () -> PairedClimbTest.settings("race-steps = 10, race-factor = 1"));
        assertThrows(
                ConfigError.class,
                () -> PairedClimbTest.settings(
                        "race-steps = 10, comparison = velocity, climb-window = 0, window = 15"));
        ConfigError both =
                assertThrows(ConfigError.class, () -> PairedClimbTest.settings("race-steps = 10, first-window = 0.1"));
        assertTrue(both.getMessage().contains("first-window"), both.getMessage());
    }
}
