package dev.pacer.optim;

import dev.pacer.model.TensorSpec;
import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor's contiguous span {@code [offset, offset + length)} in the flat weight vector, together with
 * the learning rate and the decoupled weight-decay coefficient to apply to it in the current step.
 *
 * <p>The learning rate is the effective one for this step (peak rate times the schedule factor); the
 * weight decay is the coefficient {@code wd} of the decoupled update {@code p *= 1 - lr * wd} (each
 * optimizer's Javadoc says where it applies it; SGD follows {@code torch.optim.SGD}'s L2 form).
 *
 * <p>The tensor's shape is optional ({@code null} = unknown): layer-wise optimizers that look at rows
 * (AdamP) need it; {@link #of(TensorSpec, double, double)} fills it from the model layout.
 *
 * @param name        tensor name, used in error messages and logs
 * @param offset      index of the first element in the flat vector, {@code >= 0}
 * @param length      number of elements, {@code >= 0}
 * @param lr          learning rate for this step, finite and {@code >= 0}
 * @param weightDecay decoupled weight-decay coefficient, finite and {@code >= 0}
 * @param shape       tensor shape whose product is {@code length} (GPT-2 layout, e.g. (in, out) for linear
 *                    weights), or {@code null} when unknown
 */
public record ParamSlice(String name, int offset, int length, double lr, double weightDecay, long[] shape) {

    public ParamSlice {
        Objects.requireNonNull(name, "name");
        if (offset < 0) {
            throw new IllegalArgumentException("slice '" + name + "': offset must be >= 0, got " + offset);
        }
        if (length < 0) {
            throw new IllegalArgumentException("slice '" + name + "': length must be >= 0, got " + length);
        }
        if ((long) offset + length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "slice '" + name + "': offset + length overflows int (" + offset + " + " + length + ")");
        }
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("slice '" + name + "': lr must be finite and >= 0, got " + lr);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException(
                    "slice '" + name + "': weightDecay must be finite and >= 0, got " + weightDecay);
        }
        if (shape != null) {
            shape = shape.clone();
            long n = 1;
            for (long d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException(
                            "slice '" + name + "': negative dimension in shape " + Arrays.toString(shape));
                }
                n = Math.multiplyExact(n, d);
            }
            if (n != length) {
                throw new IllegalArgumentException("slice '" + name + "': shape " + Arrays.toString(shape) + " holds "
                        + n + " elements, but length is " + length);
            }
        }
    }

    /** A slice of unknown shape. */
    public ParamSlice(String name, int offset, int length, double lr, double weightDecay) {
        this(name, offset, length, lr, weightDecay, null);
    }

    /** The slice of one tensor of the model layout, with its shape. */
    public static ParamSlice of(TensorSpec tensor, double lr, double weightDecay) {
        return new ParamSlice(tensor.name(), tensor.offset(), tensor.size(), lr, weightDecay, tensor.shape());
    }

    /** A copy of the shape, or {@code null} when unknown. */
    @Override
    public long[] shape() {
        return shape == null ? null : shape.clone();
    }

    /** Whether the shape is known. */
    public boolean hasShape() {
        return shape != null;
    }

    /** Number of dimensions; requires a known shape. */
    public int rank() {
        return knownShape().length;
    }

    /** Size of the first dimension (rows of a matrix in its stored layout); requires a known shape of rank >= 1. */
    public int rows() {
        long[] s = knownShape();
        if (s.length == 0) {
            throw new IllegalStateException("slice '" + name + "' is a scalar: it has no rows");
        }
        return Math.toIntExact(s[0]);
    }

    private long[] knownShape() {
        if (shape == null) {
            throw new IllegalStateException(
                    "slice '" + name + "' has no shape; build it with ParamSlice.of(TensorSpec, ...)");
        }
        return shape;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParamSlice p
                && name.equals(p.name)
                && offset == p.offset
                && length == p.length
                && Double.compare(lr, p.lr) == 0
                && Double.compare(weightDecay, p.weightDecay) == 0
                && Arrays.equals(shape, p.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, offset, length, lr, weightDecay) * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "ParamSlice[" + name + " @" + offset + "+" + length + (shape == null ? "" : " " + Arrays.toString(shape))
                + ", lr=" + lr + ", weightDecay=" + weightDecay + "]";
    }

    /** Exclusive end index, {@code offset + length}. */
    public int end() {
        return offset + length;
    }
}
