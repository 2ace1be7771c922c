package dev.pacer.adalrs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything AdaLRS's search carries from step to step: the level, the round, the current
 * window and what it is compared with, the safeguards' memory, and the paired comparison's
 * branch bookkeeping. Checkpoints store it as JSON (public fields, in this order).
 */
public final class AdaLrsState {
    public double level;
    public int round;
    /** "outside" (before or after the search), "base" or "trial". */
    public String phase = "outside";
    /** The window's (step, loss) pairs. */
    public List<double[]> window = new ArrayList<>();
    /** Steps still to skip before the window collects (one after each level change). */
    public int settle;

    public double baseVelocity = Double.NaN;
    public double baseError = Double.NaN;
    public double baseCenter = Double.NaN;
    public double previousLevel = Double.NaN;
    public double trialLevel = Double.NaN;
    /** Highest single loss since warmup: the "loss above the run's maximum" safeguard. */
    public double maxLoss = Double.NEGATIVE_INFINITY;

    public boolean upscaleAllowed = true;
    public int risingWindows;
    public boolean snapshotValid;
    public boolean finished;
    // paired comparison only
    /** Completed steps when the round's snapshot was taken: where the trial replays from. */
    public long roundStart;

    public List<Double> baseLosses = new ArrayList<>();
    /** +1: the next trial goes up (α′), -1: down (β′). */
    public int direction = 1;

    public boolean failedUp;
    public boolean failedDown;
    /** How often both neighbours of the level lost: each halves the log of the factors. */
    public int shrink;
    /** Steps computed on discarded branches (replays): the compute beyond one run. */
    public long extraSteps;
    /** Paired trials accepted so far. */
    public int accepted;
    /** Whether a paired trial has failed to win yet: the climb is over, windows are full length. */
    public boolean refining;
    /** The warmup race (race-steps) is the round in progress. */
    public boolean racing;
    /** The warmup race has been run (or had no room): it never runs twice. */
    public boolean raced;

    /** A deep copy (through Jackson, so a field added later is never forgotten). */
    public AdaLrsState copy() {
        return JSON.convertValue(this, AdaLrsState.class);
    }

    private static final ObjectMapper JSON = new ObjectMapper();
}
