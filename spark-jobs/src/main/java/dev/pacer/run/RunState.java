package dev.pacer.run;

import dev.pacer.adalrs.AdaLrsState;
import dev.pacer.hidlr.HiDlrState;

/**
 * What the driver carries of a run besides the model: completed steps and tokens, the
 * learning-rate controllers' states, and whether an AdaLRS snapshot is in force (a run stopped in
 * the middle of a trial must be able to roll back to it after resuming). The weights, the
 * optimizer state and the snapshot's tensors are wherever the update runs (the driver or the
 * shard owners) and in the checkpoint's files. Batches are derived from (seed, step, partition),
 * so no data cursor is needed.
 *
 * @param adalrs AdaLRS's state, or null when it is off
 * @param hidlr Hi-DLR's state, or null when it is off
 * @param snapshot the snapshot in force, or null
 */
public record RunState(long step, long tokens, AdaLrsState adalrs, HiDlrState hidlr, Snapshot snapshot) {

    /**
     * An AdaLRS snapshot in force: Hi-DLR's state at that point (null when Hi-DLR is off, or for a
     * checkpoint written before snapshots carried it: a rollback then leaves Hi-DLR's state as it
     * is). Its tensors are with the model's.
     */
    public record Snapshot(HiDlrState hidlr) {}

    /** The start of a new run. */
    public static RunState fresh() {
        return new RunState(0, 0, null, null, null);
    }
}
