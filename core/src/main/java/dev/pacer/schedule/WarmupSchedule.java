package dev.pacer.schedule;

/**
 * What every schedule shares: argument checks and the linear warmup over the first
 * {@code warmupSteps} steps, {@code factor(step) = (step + 1) / warmupSteps}, which reaches exactly 1
 * at the last warmup step. After the warmup, each schedule's own {@link #afterWarmup}.
 */
abstract class WarmupSchedule implements LrSchedule {

    protected final long warmupSteps;
    protected final long totalSteps;

    /**
     * @param warmupSteps warmup length, in [0, totalSteps]
     * @param totalSteps planned number of steps, &gt; 0
     */
    protected WarmupSchedule(long warmupSteps, long totalSteps) {
        checkCommon(warmupSteps, totalSteps);
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
    }

    @Override
    public final double factor(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        return step < warmupSteps ? (double) (step + 1) / (double) warmupSteps : afterWarmup(step);
    }

    /** The factor at a step at or after the end of the warmup. */
    protected abstract double afterWarmup(long step);

    static void checkCommon(long warmupSteps, long totalSteps) {
        if (totalSteps <= 0) {
            throw new IllegalArgumentException("totalSteps must be > 0, got " + totalSteps);
        }
        if (warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException(
                    "warmupSteps must be in [0, totalSteps=" + totalSteps + "], got " + warmupSteps);
        }
    }

    static void checkMinFactor(double minFactor) {
        if (!(minFactor >= 0 && minFactor <= 1)) {
            throw new IllegalArgumentException("minFactor must be in [0, 1], got " + minFactor);
        }
    }

    static void checkDecayFraction(double decayFraction) {
        if (!(decayFraction > 0 && decayFraction <= 1)) {
            throw new IllegalArgumentException("decayFraction must be in (0, 1], got " + decayFraction);
        }
    }
}
