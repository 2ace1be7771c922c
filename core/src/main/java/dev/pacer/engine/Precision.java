package dev.pacer.engine;

import dev.pacer.config.ConfigError;
import java.util.Locale;

/**
 * {@code pacer.train.precision}: the number format a replica computes its matrix products and
 * attention in. Master weights, gradient sums, clipping and optimizer state are fp32 either way
 * (docs/precision.md).
 */
public enum Precision {
    /** Every operation in fp32. */
    FP32(6),
    /**
     * Matrix products (their inputs, weights and outputs), attention and GELU in bfloat16; the
     * embeddings, residual stream, layer norms, softmax statistics and the loss in fp32, as
     * PyTorch's CPU autocast does. Gradients reach the fp32 weights through the casts, so they
     * accumulate in fp32.
     */
    BF16(15);

    /** libtorch's ScalarType code of the compute type, as TorchScript source writes a dtype. */
    private final int scalarType;

    Precision(int scalarType) {
        this.scalarType = scalarType;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    int scalarType() {
        return scalarType;
    }

    public static Precision parse(String key, String value) {
        for (Precision p : values()) {
            if (p.id().equals(value)) {
                return p;
            }
        }
        throw new ConfigError(key + " = \"" + value + "\": expected fp32 or bf16");
    }
}
