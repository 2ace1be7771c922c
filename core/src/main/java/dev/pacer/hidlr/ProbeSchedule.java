package dev.pacer.hidlr;

/**
 * When Hi-DLR probes and what a probe costs in forward passes.
 *
 * <p>Probes start after the warmup, on multiples of {@code every}: the warmup's rates are ramped by
 * the schedule rather than chosen, so a fit of them says little about the rates after it. No probe
 * follows the last step, whose rates nothing would use.
 */
final class ProbeSchedule {

    private final long firstProbe;
    private final long every;
    private final long maxSteps;
    private final double[] offsets;

    /**
     * @param warmupSteps no probe before the warmup ends
     * @param every steps between probes, see {@link HiDlrSettings#every}
     * @param offsets the probe's offsets, in units of each group's rate
     */
    ProbeSchedule(long warmupSteps, long maxSteps, long every, double[] offsets) {
        if (every < 1) {
            throw new IllegalArgumentException("probe interval must be >= 1, got " + every);
        }
        this.every = every;
        this.maxSteps = maxSteps;
        this.offsets = offsets;
        this.firstProbe = Math.max(every, (warmupSteps + every - 1) / every * every);
    }

    /** Whether completed step {@code done} (1-based) is a probe step, if any group is left to probe. */
    boolean due(long done) {
        return done >= firstProbe && done % every == 0 && done < maxSteps;
    }

    double[] offsets() {
        return offsets;
    }

    /** Forward passes of a probe: one at the current weights plus one per offset and probed group. */
    int forwards(int probedGroups) {
        return 1 + offsets.length * probedGroups;
    }

    /**
     * The probes' forward passes as a share of training's: a training step costs about three forward
     * passes (the forward and a backward of twice its cost) per sequence of the global batch.
     */
    double overhead(int probedGroups, int probeSequences, int globalBatch) {
        return forwards(probedGroups) * (double) probeSequences / (3.0 * globalBatch * every);
    }

    long every() {
        return every;
    }
}
