package dev.pacer.schedule;

/**
 * Linear warmup, then a constant factor of 1 (also beyond {@code totalSteps}).
 *
 * <pre>
 *   factor(step) = (step + 1) / warmup   for step &lt; warmup
 *                = 1                     otherwise
 * </pre>
 */
public final class ConstantSchedule extends WarmupSchedule {

    /**
     * @param warmupSteps warmup length, in [0, totalSteps]
     * @param totalSteps planned number of steps, &gt; 0 (only validated; the factor does not depend on it)
     */
    public ConstantSchedule(long warmupSteps, long totalSteps) {
        super(warmupSteps, totalSteps);
    }

    @Override
    protected double afterWarmup(long step) {
        return 1.0;
    }

    @Override
    public ScheduleKind kind() {
        return ScheduleKind.CONSTANT;
    }

    @Override
    public String toString() {
        return kind().id() + "(warmup=" + warmupSteps + ", total=" + totalSteps + ")";
    }
}
