package dev.pacer.hidlr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProbeScheduleTest {

    private static final double[] OFFSETS = {-2, -1, 1, 2};

    @Test
    void probesStartOnTheFirstMultipleOfEveryAfterTheWarmupAndStopBeforeTheLastStep() {
        ProbeSchedule s = new ProbeSchedule(25, 100, 10, OFFSETS);
        assertFalse(s.due(10), "in the warmup");
        assertFalse(s.due(20), "in the warmup");
        assertFalse(s.due(25), "warmup's end, not a multiple of every");
        assertTrue(s.due(30));
        assertFalse(s.due(35));
        assertTrue(s.due(90));
        assertFalse(s.due(100), "nothing uses the rates after the last step");
    }

    @Test
    void withoutWarmupTheFirstProbeFollowsStepEvery() {
        ProbeSchedule s = new ProbeSchedule(0, 100, 10, OFFSETS);
        assertFalse(s.due(0));
        assertTrue(s.due(10));
        assertTrue(new ProbeSchedule(0, 100, 1, OFFSETS).due(1));
    }

    @Test
    void costCountsOneForwardAtTheWeightsPlusOnePerOffsetAndGroup() {
        ProbeSchedule s = new ProbeSchedule(0, 100, 10, OFFSETS);
        assertEquals(13, s.forwards(3));
        assertEquals(1, s.forwards(0));
        // 13 forwards of 8 sequences every 10 steps, against 3 forward-equivalents × 32 sequences per step
        assertEquals(13.0 * 8 / (3 * 32 * 10), s.overhead(3, 8, 32), 1e-15);
    }

    @Test
    void anIntervalBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ProbeSchedule(0, 100, 0, OFFSETS));
    }
}
