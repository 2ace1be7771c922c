package dev.pacer.model;

import java.util.Arrays;

/**
 * One parameter tensor's place in the flat weight vector.
 *
 * @param name GPT-2 style name, e.g. {@code h.0.attn.c_attn.weight}
 * @param shape tensor shape; linear weights use GPT-2's (in, out) layout
 * @param offset first element in the flat vector
 * @param kind role in the model
 * @param block transformer block index, or -1 outside the blocks
 */
public record TensorSpec(String name, long[] shape, int offset, ParameterKind kind, int block) {

    public int size() {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return Math.toIntExact(n);
    }

    /** Matrices and embeddings take weight decay; biases and norm gains do not (as in nanoGPT). */
    public boolean decays() {
        return shape.length >= 2;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t
                && name.equals(t.name)
                && Arrays.equals(shape, t.shape)
                && offset == t.offset
                && kind == t.kind
                && block == t.block;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + offset;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + "@" + offset;
    }
}
