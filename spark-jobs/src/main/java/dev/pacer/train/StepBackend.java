package dev.pacer.train;

import dev.pacer.hidlr.ProbePlan;
import dev.pacer.run.CheckpointStore;
import dev.pacer.run.ModelSource;

/**
 * What the cluster computes and holds for the {@link TrainingLoop}: the model's weights and
 * optimizer state, one optimizer step from a step's batches, the validation loss, the losses of
 * a Hi-DLR probe, and the AdaLRS snapshot a trial can return to. The loop sees only scalars and
 * sends rates and commands; where the weights live and where the update runs is the backend's
 * business ({@link DriverBackend}: on the driver, its gradients from a {@link GradientSource}).
 */
public interface StepBackend extends AutoCloseable {

    /** Starts from {@code model}, with its snapshot (if it has one) as the point a rollback returns to. */
    void start(ModelSource model);

    /**
     * One optimizer step: gradients of the step's batches at the current weights, summed in
     * partition order, divided by the tokens, clipped, and applied at the request's rates unless
     * the loss or the gradient norm is not finite (then nothing changes).
     */
    StepOutcome step(StepRequest request);

    /** Mean validation loss per token at the current evaluation weights. */
    double validationLoss(String label);

    /**
     * Mean loss per token of each point of {@code plan} along the step just taken (which must
     * have been requested with {@code keepPrevious}), from the weights before it, on the probe
     * batch of step {@code step}.
     */
    double[] probe(ProbePlan plan, long step, int sequences, String label);

    /** Copies the current point as the snapshot. */
    void snapshot();

    /** Returns to the snapshot, which stays. */
    void rollback();

    /** Paired replay: the current point becomes the snapshot and the old snapshot the current point. */
    void swapWithSnapshot();

    /** Writes the current point's tensor files into a checkpoint, and the snapshot's when {@code withSnapshot}. */
    CheckpointStore.TensorWriter tensorWriter(boolean withSnapshot);

    /** Partitions the data is spread over. */
    int partitions();

    @Override
    void close();
}
