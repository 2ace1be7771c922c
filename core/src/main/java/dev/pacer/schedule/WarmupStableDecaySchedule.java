package dev.pacer.schedule;

/**
 * Warmup-stable-decay (WSD) schedule, after S. Hu et al., "MiniCPM: Unveiling the Potential of Small
 * Language Models with Scalable Training Strategies", 2024: linear warmup, a long plateau at 1, then a
 * linear decay to {@code minFactor} over the last steps.
 *
 * <p>Let {@code D = min(max(1, round(decayFraction * total)), total - warmup)} be the number of decay steps
 * ({@code round} is {@link Math#round(double)}, i.e. half up; the decay never eats into the warmup) and
 * {@code start = total - D} the first decay step. Then
 *
 * <pre>
 *   factor(step) = (step + 1) / warmup                                      for step &lt; warmup
 *                = 1                                                        for warmup &lt;= step &lt; start
 *                = minFactor + (1 - minFactor) * (total - 1 - step) / D     for start &lt;= step &lt; total
 *                = minFactor                                                for step &gt;= total
 * </pre>
 *
 * <p>The decay is the straight line through {@code (start - 1, 1)} and {@code (total - 1, minFactor)}, i.e.
 * {@code 1 - (1 - minFactor) * (step - start + 1) / D}: every one of the {@code D} decay steps is below the
 * plateau and the last step {@code total - 1} is exactly {@code minFactor} (the form above is used because it
 * gives exactly {@code minFactor} there in floating point). When {@code warmup == total} there is no plateau and no decay inside the horizon.
 */
public final class WarmupStableDecaySchedule extends WarmupSchedule {

    private final double minFactor;
    private final double decayFraction;
    private final long decaySteps;
    private final long decayStart;

    /**
     * @param warmupSteps   warmup length, in [0, totalSteps]
     * @param totalSteps    planned number of steps, &gt; 0
     * @param minFactor     final factor, in [0, 1]
     * @param decayFraction fraction of {@code totalSteps} spent decaying, in (0, 1]
     */
    public WarmupStableDecaySchedule(long warmupSteps, long totalSteps, double minFactor, double decayFraction) {
        super(warmupSteps, totalSteps);
        checkMinFactor(minFactor);
        checkDecayFraction(decayFraction);
        this.minFactor = minFactor;
        this.decayFraction = decayFraction;
        long d = Math.max(1L, Math.round(decayFraction * totalSteps));
        this.decaySteps = Math.min(d, totalSteps - warmupSteps);
        this.decayStart = totalSteps - decaySteps;
    }

    /** Number of decay steps {@code D}. */
    public long decaySteps() {
        return decaySteps;
    }

    /** First decay step {@code total - D}. */
    public long decayStart() {
        return decayStart;
    }

    @Override
    protected double afterWarmup(long step) {
        if (step >= totalSteps) {
            return minFactor;
        }
        if (step < decayStart) {
            return 1.0;
        }
        return minFactor + (1.0 - minFactor) * (double) (totalSteps - 1 - step) / (double) decaySteps;
    }

    @Override
    public ScheduleKind kind() {
        return ScheduleKind.WSD;
    }

    @Override
    public String toString() {
        return kind().id() + "(warmup=" + warmupSteps + ", total=" + totalSteps + ", minFactor=" + minFactor
                + ", decayFraction=" + decayFraction + ", decaySteps=" + decaySteps + ")";
    }
}
