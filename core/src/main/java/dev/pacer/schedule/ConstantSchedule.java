package dev.pacer.schedule;

/**
 * Linear warmup, then a constant factor of 1 (also beyond {@code totalSteps}).
 *
 * <pre>
 *   factor(step) = (step + 1) / warmup   for step &lt; warmup
 *                = 1                     otherwise
 * </pre>
 */
public final class ConstantSchedule implements LrSchedule {

    public static final String NAME = "constant";

    private final long warmupSteps;
    private final long totalSteps;

    /**
     * @param warmupSteps warmup length, in [0, totalSteps]
     * @param totalSteps  planned number of steps, &gt; 0 (only validated; the factor does not depend on it)
     */
    public ConstantSchedule(long warmupSteps, long totalSteps) {
        checkCommon(warmupSteps, totalSteps);
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
    }

    @Override
    public double factor(long step) {
        checkStep(step);
        return step < warmupSteps ? warmup(step, warmupSteps) : 1.0;
    }

    @Override
    public String name() {
        return NAME;
    }

    // ---- Argument checks and the warmup rule, shared by the schedules of this package ----

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

    static void checkStep(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
    }

    /** Linear warmup factor {@code (step + 1) / warmupSteps}; only for {@code step < warmupSteps}. */
    static double warmup(long step, long warmupSteps) {
        return (double) (step + 1) / (double) warmupSteps;
    }

    @Override
    public String toString() {
        return NAME + "(warmup=" + warmupSteps + ", total=" + totalSteps + ")";
    }
}
