package dev.pacer.schedule;

import dev.pacer.rates.RateController;
import dev.pacer.rates.StepRates;

/**
 * A learning-rate schedule: a multiplier of the peak learning rate as a function of the 0-based step.
 *
 * <p>All schedules share a linear warmup over the first {@code warmupSteps} steps:
 * {@code factor(step) = (step + 1) / warmupSteps} for {@code step < warmupSteps}, so that the factor reaches
 * exactly 1 at the last warmup step ({@code step = warmupSteps - 1}). A warmup of 0 steps is allowed and
 * means no warmup.
 */
public interface LrSchedule extends RateController<Void> {

    /**
     * Factor multiplying the peak learning rate at the given step.
     *
     * @param step 0-based optimizer step, {@code >= 0}
     * @throws IllegalArgumentException if {@code step < 0}
     */
    double factor(long step);

    /** Which schedule this is ({@code pacer.train.schedule}). */
    ScheduleKind kind();

    @Override
    default void shape(long step, StepRates rates) {
        rates.scaleBase(factor(step));
    }

    /** A schedule is a pure function of the step: nothing to save. */
    @Override
    default Void state() {
        return null;
    }

    @Override
    default void restore(Void state) {}

    @Override
    default Class<Void> stateType() {
        return Void.class;
    }

    /**
     * Creates a schedule of the given kind.
     *
     * <ul>
     *   <li>{@code cosine}: {@link WarmupCosineSchedule}, warmup then cosine decay to {@code minFactor};</li>
     *   <li>{@code constant}: {@link ConstantSchedule}, warmup then constant 1;</li>
     *   <li>{@code wsd}: {@link WarmupStableDecaySchedule}, warmup, constant 1, then linear decay over the
     *       last {@code decayFraction * totalSteps} steps to {@code minFactor}.</li>
     * </ul>
     *
     * <p>Each schedule validates the arguments it uses: {@code totalSteps > 0},
     * {@code 0 <= warmupSteps <= totalSteps}, {@code minFactor} in [0, 1] and {@code decayFraction} in (0, 1]
     * ({@code pacer.train} refuses every out-of-range value, whichever schedule is selected).
     *
     * @throws IllegalArgumentException for an invalid argument (the message names it)
     */
    static LrSchedule create(
            ScheduleKind kind, long warmupSteps, long totalSteps, double minFactor, double decayFraction) {
        return switch (kind) {
            case COSINE -> new WarmupCosineSchedule(warmupSteps, totalSteps, minFactor);
            case CONSTANT -> new ConstantSchedule(warmupSteps, totalSteps);
            case WSD -> new WarmupStableDecaySchedule(warmupSteps, totalSteps, minFactor, decayFraction);
        };
    }
}
