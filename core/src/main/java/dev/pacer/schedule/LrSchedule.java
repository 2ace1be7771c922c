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

    /** Valid names for {@link #create}. */
    String VALID_NAMES = "cosine, constant, wsd";

    /**
     * Factor multiplying the peak learning rate at the given step.
     *
     * @param step 0-based optimizer step, {@code >= 0}
     * @throws IllegalArgumentException if {@code step < 0}
     */
    double factor(long step);

    /** The schedule's name as accepted by {@link #create}. */
    String name();

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
     * Creates a schedule by name.
     *
     * <ul>
     *   <li>{@code "cosine"}: {@link WarmupCosineSchedule}, warmup then cosine decay to {@code minFactor};</li>
     *   <li>{@code "constant"}: {@link ConstantSchedule}, warmup then constant 1;</li>
     *   <li>{@code "wsd"}: {@link WarmupStableDecaySchedule}, warmup, constant 1, then linear decay over the
     *       last {@code decayFraction * totalSteps} steps to {@code minFactor}.</li>
     * </ul>
     *
     * <p>All arguments are validated whatever the name, so that a bad configuration value is reported even
     * when the chosen schedule does not use it: {@code totalSteps > 0}, {@code 0 <= warmupSteps <= totalSteps},
     * {@code minFactor} in [0, 1] and {@code decayFraction} in (0, 1].
     *
     * @throws IllegalArgumentException for an unknown name (the message lists the valid names) or an invalid
     *                                  argument (the message names it)
     */
    static LrSchedule create(String name, long warmupSteps, long totalSteps, double minFactor, double decayFraction) {
        WarmupSchedule.checkCommon(warmupSteps, totalSteps);
        WarmupSchedule.checkMinFactor(minFactor);
        WarmupSchedule.checkDecayFraction(decayFraction);
        if (name == null) {
            throw new IllegalArgumentException("schedule name is null; valid names: " + VALID_NAMES);
        }
        switch (name) {
            case WarmupCosineSchedule.NAME:
                return new WarmupCosineSchedule(warmupSteps, totalSteps, minFactor);
            case ConstantSchedule.NAME:
                return new ConstantSchedule(warmupSteps, totalSteps);
            case WarmupStableDecaySchedule.NAME:
                return new WarmupStableDecaySchedule(warmupSteps, totalSteps, minFactor, decayFraction);
            default:
                throw new IllegalArgumentException(
                        "unknown learning-rate schedule '" + name + "'; valid names: " + VALID_NAMES);
        }
    }
}
