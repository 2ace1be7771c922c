package dev.pacer.adalrs;

import static dev.pacer.adalrs.PairedClimbTest.feed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.adalrs.AdaLrsController.Action;
import dev.pacer.adalrs.AdaLrsController.Decision;
import dev.pacer.config.ConfigError;
import org.junit.jupiter.api.Test;

/**
 * The warmup race ({@code race-steps}): from the first completed step, a branch at initial-scale
 * x race-factor and one at initial-scale train the same steps; the lower goes on only when it is
 * clearly ahead, and the search's rounds follow at once. Losses are chosen by hand, so each
 * decision is computed here, not measured.
 */
class WarmupRaceTest {

    /**
     * A race of 4 steps between levels 1 and 0.25; warmup 10 of 100 steps, the search phase from
     * step 10, 50 replayed steps of budget (a third: 16, room for the race).
     */
    private static AdaLrsController racing(String more) {
        AdaLrsSettings s = PairedClimbTest.settings(
                "initial-scale = 0.25, race-steps = 4, race-factor = 4, max-extra-compute = 0.5, " + more);
        return new AdaLrsController(s, 10, 100);
    }

    /** Runs the race's higher branch (steps 2-5) and returns the decision that replays it. */
    private static Decision higherBranch(AdaLrsController c) {
        assertEquals(1.0, c.level(), 1e-15, "step 1 and the higher branch run at initial-scale x race-factor");
        assertEquals(Action.SNAPSHOT, c.observe(1, 5.0).action(), "the race starts after the first step");
        assertEquals("base", c.phase());
        Decision replay = feed(c, 1, 4.9, 4.8, 4.7, 4.6);
        assertEquals(Action.REPLAY, replay.action());
        assertEquals(1, replay.resumeAt(), "the lower branch replays steps 2-5 from the state after step 1");
        assertEquals(0.25, c.level(), 1e-15, "the lower branch runs at initial-scale");
        return replay;
    }

    @Test
    void theLowerBranchGoesOnWhenItIsClearlyAheadAndTheSearchFollowsAtOnce() {
        AdaLrsController c = racing("");
        higherBranch(c);
        // compared tail: steps 4 and 5, differences -0.1 and -0.2: mean -0.15, standard error
        // |(-0.1) - (-0.2)| / 2 = 0.05, margin 1 x 0.05: clearly ahead
        Decision d = feed(c, 1, 4.9, 4.8, 4.6, 4.4);
        assertEquals(Action.SNAPSHOT, d.action(), "the lower branch's state is the first round's snapshot");
        assertEquals("accept", d.event().get("outcome").asText(), d.event().toString());
        assertTrue(d.event().get("race").asBoolean());
        assertEquals(-0.15, d.event().get("paired_difference").asDouble(), 1e-12);
        assertEquals(0.05, d.event().get("paired_error").asDouble(), 1e-12);
        assertEquals(4, d.event().get("extra_steps").asInt());
        assertEquals(0.25, c.level(), 1e-15);
        // the search's first round starts at step 5, before its phase-start (step 10), with its own window
        assertEquals("base", c.phase());
        assertEquals(5, c.s.roundStart);
        assertEquals(15, c.windowLength());
        assertFalse(c.s.racing);
    }

    @Test
    void aRaceTheLowerBranchDoesNotClearlyWinKeepsTheHigherLevel() {
        AdaLrsController c = racing("");
        higherBranch(c);
        // differences -0.1 and +0.1 on the compared steps: mean 0, within the margin
        Decision d = feed(c, 1, 4.9, 4.8, 4.6, 4.7);
        assertEquals(Action.ROLLBACK, d.action(), "back to the higher branch's end, kept as the snapshot");
        assertEquals("neutral", d.event().get("outcome").asText(), d.event().toString());
        assertEquals(1.0, c.level(), 1e-15);
        // the lower branch clearly behind
        AdaLrsController behind = racing("");
        higherBranch(behind);
        Decision r = feed(behind, 1, 4.9, 4.8, 4.9, 4.8);
        assertEquals("reject", r.event().get("outcome").asText());
        assertEquals(1.0, behind.level(), 1e-15);
    }

    @Test
    void aRunResumedInsideTheRaceDecidesAsAnUninterruptedOne() {
        AdaLrsController c = racing("");
        higherBranch(c);
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
        assertEquals(1.0, c.annealFactor(), 0, "fourth step of the race's higher branch");
    }

    /** The first decision's event of a run without a race: its reason, the level at initial-scale. */
    private static String skipped(AdaLrsController c) {
        assertFalse(c.races());
        ObjectNode e = c.observe(1, 5.0).event();
        assertNotNull(e, "the first decision says why there is no race");
        assertEquals("race-skipped", e.get("outcome").asText());
        assertEquals(0.25, e.get("new_level").asDouble(), 1e-15);
        assertEquals("outside", c.phase());
        assertEquals(null, c.observe(2, 5.0).event(), "said once");
        return e.get("reason").asText();
    }

    @Test
    void withoutRoomInTheBudgetOrThePairedComparisonThereIsNoRaceAndTheRunSaysWhy() {
        AdaLrsSettings s = PairedClimbTest.settings("initial-scale = 0.25, race-steps = 4, race-factor = 4");
        // max-extra-compute 0.15 of 60 steps: 9 replayed steps, a third of it 3 < 4
        String budget = skipped(new AdaLrsController(s, 6, 60));
        assertTrue(budget.contains("more than a third of the replay budget (9 steps"), budget);
        // 0.15 of 80 steps: 12, a third 4: the race runs
        assertTrue(new AdaLrsController(s, 8, 80).races());
        String velocity = skipped(new AdaLrsController(
                PairedClimbTest.settings("initial-scale = 0.25, race-steps = 4, comparison = velocity,"
                        + " climb-window = 0, max-extra-compute = 0.5"),
                10,
                100));
        assertTrue(velocity.contains("comparison = paired"), velocity);
        // turned off: no race, and nothing to report
        AdaLrsController off =
                new AdaLrsController(PairedClimbTest.settings("initial-scale = 0.25, race-steps = 0"), 10, 100);
        assertFalse(off.races());
        assertEquals(null, off.observe(1, 5.0).event());
        assertEquals(0.25, off.level(), 1e-15);
        assertTrue(skipped(new AdaLrsController(
                        PairedClimbTest.settings(
                                "initial-scale = 0.25, race-steps = 4, first-window = 0.1, max-extra-compute = 0.5"),
                        10,
                        100))
                .contains("first-window"));
    }

    @Test
    void aRunResumedPastItsFirstStepFromACheckpointWithoutARaceDoesNotRaceLate() {
        AdaLrsController c = racing("");
        AdaLrsState old = c.state();
        old.level = 0.25;
        old.raced = false;
        c.restore(old);
        ObjectNode e = c.observe(7, 4.0).event();
        assertEquals("race-skipped", e.get("outcome").asText());
        assertTrue(e.get("reason").asText().contains("resumed"), e.toString());
        assertFalse(c.s.racing);
    }

    @Test
    void raceSettingsOutsideTheirRangesAreRefused() {
        ConfigError few = assertThrows(ConfigError.class, () -> PairedClimbTest.settings("race-steps = 3"));
        assertTrue(few.getMessage().startsWith("pacer.adalrs.race-steps = 3"), few.getMessage());
        ConfigError factor = assertThrows(ConfigError.class, () -> PairedClimbTest.settings("race-factor = 1"));
        assertTrue(factor.getMessage().startsWith("pacer.adalrs.race-factor = 1.0"), factor.getMessage());
    }
}
