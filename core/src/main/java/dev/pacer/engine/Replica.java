package dev.pacer.engine;

import java.util.List;

/**
 * What an executor computes with one copy of the model: summed gradients and losses of token
 * sequences at given weights. {@link ModelReplica} does it with libtorch; {@link SyntheticReplica}
 * is a pure-Java stand-in whose numbers are the same on every CPU (tests of the driver's logic,
 * transport benchmarks). Used from one thread at a time.
 */
public interface Replica extends AutoCloseable {

    /**
     * Forward and backward over {@code sequences} in micro-batches of {@code microBatch};
     * {@code gradOut} receives the gradient of the summed token loss, overwriting what it held.
     * Only tensors marked in {@code trainable} (layout order; null = all) get a gradient; the
     * others' entries are set to 0.
     */
    ModelReplica.LossSum gradients(
            float[] weights, List<int[]> sequences, int microBatch, float[] gradOut, boolean[] trainable);

    /** Forward only: summed token loss over {@code sequences}, for validation and probes. */
    ModelReplica.LossSum loss(float[] weights, List<int[]> sequences, int microBatch);

    @Override
    void close();
}
