package dev.pacer.rates;

/**
 * Something that sets part of the learning rates of each step: the schedule (a factor of the
 * peak rate), AdaLRS (a level multiplying it) and Hi-DLR (a multiplier per parameter group, and
 * frozen groups). The training loop asks each, in that order, to shape the next step's
 * {@link StepRates}. A controller's evolving state is a typed value that checkpoints store as JSON
 * (Jackson) and snapshots copy.
 *
 * @param <S> the state's type ({@link Void} for a stateless controller)
 */
public interface RateController<S> {

    /** Applies this controller's part of the rates of step {@code step} (0-based). */
    void shape(long step, StepRates rates);

    /** A copy of the controller's state (null when stateless). */
    S state();

    /** Continues from a state {@link #state()} returned (a checkpoint's or a snapshot's). */
    void restore(S state);

    /** The state's class, to read it back from a checkpoint. */
    Class<S> stateType();
}
