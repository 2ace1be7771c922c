package dev.pacer.train;

import dev.pacer.engine.Precision;
import dev.pacer.transfer.Bf16Codec;
import java.io.Serializable;

/**
 * What one task returns for one step: the gradient of its summed token loss (fp32, or bf16 on
 * the wire: {@code pacer.spark.gradient-encoding}), that loss, its token count, and how long its
 * forward/backward took (for the overhead breakdown).
 *
 * @param gradients fp32 gradients, or null when they travel as {@code bf16Gradients} (or there are none)
 * @param bf16Gradients the gradients encoded by {@link Bf16Codec}, or null
 */
public record StepResult(
        int partition, float[] gradients, short[] bf16Gradients, double lossSum, long tokens, long computeNanos)
        implements Serializable {

    /** A result whose gradients (if any) travel as fp32. */
    public StepResult(int partition, float[] gradients, double lossSum, long tokens, long computeNanos) {
        this(partition, gradients, null, lossSum, tokens, computeNanos);
    }

    /** A result whose gradients travel in {@code encoding}. */
    static StepResult of(
            int partition, float[] gradients, Precision encoding, double lossSum, long tokens, long computeNanos) {
        return encoding == Precision.BF16
                ? new StepResult(partition, null, Bf16Codec.encode(gradients), lossSum, tokens, computeNanos)
                : new StepResult(partition, gradients, lossSum, tokens, computeNanos);
    }

    /** The gradients as fp32, decoded if they travelled as bf16; null if there are none. */
    public float[] fp32Gradients() {
        return bf16Gradients == null ? gradients : Bf16Codec.decode(bf16Gradients);
    }
}
