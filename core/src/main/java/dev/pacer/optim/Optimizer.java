package dev.pacer.optim;

import java.util.List;
import java.util.Map;

/**
 * A first-order optimizer that updates a flat float32 weight vector in place on the driver.
 *
 * <p>The weights are described by {@link ParamSlice}s, each carrying its own learning rate and weight decay
 * for the step. Elements of the weight vector that lie in no slice are left untouched, and so is their state.
 */
public interface Optimizer {

    /**
     * Performs one in-place update of {@code weights} from {@code grads}.
     *
     * @param weights flat weight vector, updated in place
     * @param grads   flat gradient vector, same length as {@code weights}; not modified
     * @param slices  non-overlapping spans of the vectors to update, with their per-step lr and weight decay
     * @throws IllegalArgumentException if the lengths do not match the optimizer, a slice falls outside the
     *                                  vectors, or two slices overlap
     */
    void step(float[] weights, float[] grads, List<ParamSlice> slices);

    /**
     * Phase one of a step whose slices are spread over several optimizers (executors each holding
     * some tensors, ZeRO-1 style): the per-slice scalars this optimizer's update needs from every
     * tensor, in slice order (an entry may be null: that slice contributes nothing), with what does
     * not depend on them already updated; null when each slice's update is its own. {@link
     * #finishStep} follows with every tensor's partials, in tensor order. A whole-vector {@link
     * #step} is the two phases with this optimizer's own partials, so both give the same bits.
     */
    default double[][] beginStep(float[] weights, float[] grads, List<ParamSlice> slices) {
        return null;
    }

    /**
     * Phase two: the update of {@code slices}, given every tensor's partials from {@link
     * #beginStep} in tensor order (null when it returned null).
     */
    default void finishStep(float[] weights, float[] grads, List<ParamSlice> slices, List<double[]> allPartials) {
        step(weights, grads, slices);
    }

    /**
     * Lets the update use up to {@code threads} threads (at least 1; 1 by default). Only
     * optimizers whose update is elementwise use more than one, splitting the vector into
     * contiguous ranges; each element is computed exactly as with one thread, so the result is the
     * same bit for bit. The caller decides: a Spark task keeps its own thread budget.
     */
    default void setThreads(int threads) {}

    /** Whether {@link #beginStep} returns partials: the update needs scalars from every tensor. */
    default boolean reducesAcrossTensors() {
        return false;
    }

    /** Whether {@link #evaluationWeights} differ from the training weights (Schedule-Free's averaged point). */
    default boolean separateEvaluationWeights() {
        return false;
    }

    /** Number of {@link #step} calls performed so far (including those restored by {@link #restore}). */
    long stepCount();

    /**
     * Named state vectors for checkpointing. The arrays are copies: changing them does not affect the
     * optimizer.
     */
    Map<String, float[]> state();

    /**
     * Restores the state exactly as returned by {@link #state()} together with the step count, so that
     * subsequent steps are bit-identical to an uninterrupted run. The arrays are copied.
     *
     * @throws IllegalArgumentException naming the problem if a state name is missing or unknown, an array has
     *                                  the wrong length, or {@code stepCount} is negative
     */
    void restore(Map<String, float[]> state, long stepCount);

    /** Short lowercase name of the algorithm, e.g. {@code "adamw"}. */
    String name();

    /**
     * The point at which to evaluate and checkpoint the model, given the weights gradients are
     * taken at. The same array for most optimizers; Schedule-Free returns its averaged point.
     */
    default float[] evaluationWeights(float[] trainingWeights) {
        return trainingWeights;
    }

    /**
     * Inverse of {@link #evaluationWeights}: the weights to take gradients at, given checkpointed
     * evaluation weights and this optimizer's restored state. Called after {@link #restore}, on resume
     * and on any other restore (a rollback snapshot must likewise hold the evaluation weights with
     * the state). Schedule-Free refuses to step after a restore until this is called.
     */
    default float[] trainingWeights(float[] evaluationWeights) {
        return evaluationWeights;
    }
}
