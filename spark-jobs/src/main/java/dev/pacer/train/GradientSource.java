package dev.pacer.train;

import dev.pacer.hidlr.ProbePlan;
import java.util.List;

/**
 * Per-partition results at weights the driver holds, in partition order: what the
 * {@link DriverBackend} needs from the cluster. {@link SparkGradients} runs them as Spark jobs;
 * {@link LocalGradients} computes them in this JVM, one replica and no Spark, with the same
 * numbers.
 */
public interface GradientSource extends AutoCloseable {

    /** Each partition's summed gradient, loss and tokens of step {@code step}; only trainable tensors' gradients. */
    List<StepResult> gradients(float[] weights, long step, boolean[] trainable, String label);

    /** Each partition's summed validation loss over its share of the evaluation set. */
    List<StepResult> validation(float[] weights, String label);

    /** Each partition's summed losses at every point of a Hi-DLR probe. */
    List<ProbeResult> probe(float[] weights, float[] direction, ProbePlan plan, long step, int sequences, String label);

    /** Partitions the data is spread over. */
    int partitions();

    /** Milliseconds the last call spent sending the weights (0 where nothing is sent). */
    double lastSendMs();

    @Override
    default void close() {}
}
