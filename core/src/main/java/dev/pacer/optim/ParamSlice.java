package dev.pacer.optim;

import java.util.Objects;

/**
 * One tensor's contiguous span {@code [offset, offset + length)} in the flat weight vector, together with
 * the learning rate and the decoupled weight-decay coefficient to apply to it in the current step.
 *
 * <p>The learning rate is the effective one for this step (peak rate times the schedule factor); the
 * weight decay is the coefficient {@code wd} of the decoupled update {@code p *= 1 - lr * wd}.
 *
 * @param name        tensor name, used in error messages and logs
 * @param offset      index of the first element in the flat vector, {@code >= 0}
 * @param length      number of elements, {@code >= 0}
 * @param lr          learning rate for this step, finite and {@code >= 0}
 * @param weightDecay decoupled weight-decay coefficient, finite and {@code >= 0}
 */
public record ParamSlice(String name, int offset, int length, double lr, double weightDecay) {

    public ParamSlice {
        Objects.requireNonNull(name, "name");
        if (offset < 0) {
            throw new IllegalArgumentException("slice '" + name + "': offset must be >= 0, got " + offset);
        }
        if (length < 0) {
            throw new IllegalArgumentException("slice '" + name + "': length must be >= 0, got " + length);
        }
        if ((long) offset + length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("slice '" + name + "': offset + length overflows int ("
                    + offset + " + " + length + ")");
        }
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("slice '" + name + "': lr must be finite and >= 0, got " + lr);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException(
                    "slice '" + name + "': weightDecay must be finite and >= 0, got " + weightDecay);
        }
    }

    /** Exclusive end index, {@code offset + length}. */
    public int end() {
        return offset + length;
    }
}
