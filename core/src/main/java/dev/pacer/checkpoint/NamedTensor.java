package dev.pacer.checkpoint;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named float32 tensor as stored in a checkpoint file: row-major {@code data} with the given
 * {@code shape}.
 *
 * <p>A scalar has the empty shape {@code []} and one element; a shape with a zero dimension (for
 * example {@code [0]} or {@code [3, 0]}) has no elements. Both are valid and round-trip through
 * {@link SafeTensors}.
 *
 * <p>The shape is copied on the way in and out. The data array is <em>not</em> copied (tensors
 * reach hundreds of megabytes), so callers must not modify an array after handing it over or
 * after receiving it from {@link SafeTensors#read}. {@link #equals} compares names, shapes and
 * the raw bits of the data, so two tensors are equal exactly when they would be stored as the
 * same bytes.
 *
 * @param name non-empty tensor name, unique within one file
 * @param shape dimensions, each {@code >= 0}
 * @param data row-major values; its length must equal the product of {@code shape}
 */
public record NamedTensor(String name, long[] shape, float[] data) {

    /**
     * @throws IllegalArgumentException if the name is empty, a dimension is negative, or the
     *     number of values does not match the shape
     */
    public NamedTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("tensor name must not be empty");
        }
        shape = shape.clone();
        long elements = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(
                        "tensor '" + name + "': negative dimension in shape " + Arrays.toString(shape));
            }
            try {
                elements = Math.multiplyExact(elements, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(
                        "tensor '" + name + "': shape " + Arrays.toString(shape) + " has too many elements", e);
            }
        }
        if (elements != data.length) {
            throw new IllegalArgumentException("tensor '"
                    + name
                    + "': shape "
                    + Arrays.toString(shape)
                    + " needs "
                    + elements
                    + " values but data has "
                    + data.length);
        }
    }

    /** A 1-D tensor holding {@code data}. */
    public static NamedTensor vector(String name, float[] data) {
        return new NamedTensor(name, new long[] {data.length}, data);
    }

    /** Returns a copy of the shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of dimensions (0 for a scalar). */
    public int rank() {
        return shape.length;
    }

    /** Size in bytes of the stored float32 values. */
    public long byteSize() {
        return (long) data.length * Float.BYTES;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof NamedTensor other)) {
            return false;
        }
        if (!name.equals(other.name) || !Arrays.equals(shape, other.shape) || data.length != other.data.length) {
            return false;
        }
        for (int i = 0; i < data.length; i++) {
            if (Float.floatToRawIntBits(data[i]) != Float.floatToRawIntBits(other.data[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 31 * name.hashCode() + Arrays.hashCode(shape);
        for (float v : data) {
            h = 31 * h + Float.floatToRawIntBits(v);
        }
        return h;
    }

    @Override
    public String toString() {
        return "NamedTensor[" + name + " F32 " + Arrays.toString(shape) + "]";
    }
}
