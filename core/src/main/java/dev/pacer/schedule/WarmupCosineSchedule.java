package dev.pacer.schedule;

/**
 * Linear warmup followed by cosine decay from 1 to {@code minFactor}.
 *
 * <pre>
 *   factor(step) = (step + 1) / warmup                                 for step &lt; warmup
 *                = minFactor + (1 - minFactor) * 0.5 * (1 + cos(pi * p))  for warmup &lt;= step &lt; total
 *                = minFactor                                             for step &gt;= total
 *   where p = clamp((step - warmup) / max(1, total - warmup), 0, 1)
 * </pre>
 *
 * <p>The factor is 1 at {@code step = warmup}, {@code (1 + minFactor) / 2} halfway through the decay, and
 * reaches {@code minFactor} at {@code step = total}, where it stays.
 */
public final class WarmupCosineSchedule extends WarmupSchedule {

    private final double minFactor;

    /**
     * @param warmupSteps warmup length, in [0, totalSteps]
     * @param totalSteps  planned number of steps, &gt; 0
     * @param minFactor   final factor, in [0, 1]
     */
    public WarmupCosineSchedule(long warmupSteps, long totalSteps, double minFactor) {
        super(warmupSteps, totalSteps);
        checkMinFactor(minFactor);
        this.minFactor = minFactor;
    }

    @Override
    protected double afterWarmup(long step) {
        if (step >= totalSteps) {
            return minFactor;
        }
        double p = (double) (step - warmupSteps) / (double) Math.max(1L, totalSteps - warmupSteps);
        p = Math.min(1.0, Math.max(0.0, p));
        return minFactor + (1.0 - minFactor) * 0.5 * (1.0 + Math.cos(Math.PI * p));
    }

    @Override
    public ScheduleKind kind() {
        return ScheduleKind.COSINE;
    }

    @Override
    public String toString() {
        return kind().id() + "(warmup=" + warmupSteps + ", total=" + totalSteps + ", minFactor=" + minFactor + ")";
    }
}
