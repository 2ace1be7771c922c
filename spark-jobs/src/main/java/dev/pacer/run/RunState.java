package dev.pacer.run;

import dev.pacer.adalrs.AdaLrsState;
import dev.pacer.hidlr.HiDlrState;

/**
 * Everything a run needs to continue exactly, as a checkpoint holds it: completed steps and
 * tokens, the current training point, the learning-rate controllers' states, and AdaLRS's
 * snapshot when one is in force (a run stopped in the middle of a trial must be able to roll
 * back to it after resuming). Batches are derived from (seed, step, partition), so no data cursor
 * is needed.
 *
 * @param adalrs AdaLRS's state, or null when it is off
 * @param hidlr Hi-DLR's state, or null when it is off
 * @param snapshot the point a rollback would restore, or null
 */
public record RunState(
        long step, long tokens, TrainingPoint current, AdaLrsState adalrs, HiDlrState hidlr, Snapshot snapshot) {

    /**
     * A training point AdaLRS can return to, with Hi-DLR's state at that point (null when Hi-DLR
     * is off, or for a checkpoint written before snapshots carried it: a rollback then leaves
     * Hi-DLR's state as it is).
     */
    public record Snapshot(TrainingPoint point, HiDlrState hidlr) {}

    /** The start of a new run from {@code weights}. */
    public static RunState fresh(float[] weights) {
        return new RunState(0, 0, TrainingPoint.initial(weights), null, null, null);
    }
}
