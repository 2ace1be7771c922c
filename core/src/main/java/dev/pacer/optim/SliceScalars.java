package dev.pacer.optim;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One float32 scalar per tensor (slice), e.g. SGD-SaI's learning-rate scale or Schedule-Free's running
 * weight sum. Held compactly while training; in a checkpoint it is a vector of the optimizer's size that
 * holds each tensor's value over that tensor's span (so it is stored per tensor like every other state).
 *
 * <p>A restored vector is read lazily: a tensor's value is taken from it the first time that tensor's
 * slice is seen, and must be constant over the slice.
 */
final class SliceScalars {

    private final String name;
    private final int size;
    private final float initial;
    private final Map<Long, Float> values = new HashMap<>();
    private float[] restored;

    /**
     * @param name    state name, for messages
     * @param size    the optimizer's size
     * @param initial value of a tensor never stepped and not restored
     */
    SliceScalars(String name, int size, float initial) {
        this.name = name;
        this.size = size;
        this.initial = initial;
    }

    private static long key(ParamSlice s) {
        return ((long) s.offset() << 32) | (s.length() & 0xffffffffL);
    }

    /** Whether this tensor has a value (set since the start, or present in a restored vector). */
    boolean has(ParamSlice s) {
        return values.containsKey(key(s)) || restored != null;
    }

    /**
     * The tensor's value: set earlier, else read from the restored vector, else {@code initial}.
     *
     * @throws IllegalArgumentException if the restored vector is not constant over the slice
     */
    float get(ParamSlice s) {
        Float v = values.get(key(s));
        if (v != null) {
            return v;
        }
        if (restored == null || s.length() == 0) {
            return initial;
        }
        float first = restored[s.offset()];
        for (int i = s.offset(); i < s.end(); i++) {
            if (Float.floatToIntBits(restored[i]) != Float.floatToIntBits(first)) {
                throw new IllegalArgumentException("state '" + name + "' must hold one value over tensor '" + s.name()
                        + "', but holds " + first + " and " + restored[i]);
            }
        }
        values.put(key(s), first);
        return first;
    }

    void set(ParamSlice s, float value) {
        values.put(key(s), value);
    }

    /** The checkpoint vector: each known tensor's value over its span, {@code initial} elsewhere. */
    float[] toVector() {
        float[] out;
        if (restored != null) {
            out = restored.clone();
        } else {
            out = new float[size];
            Arrays.fill(out, initial);
        }
        for (Map.Entry<Long, Float> e : values.entrySet()) {
            int offset = (int) (e.getKey() >>> 32);
            int length = (int) (long) e.getKey();
            Arrays.fill(out, offset, offset + length, e.getValue());
        }
        return out;
    }

    /** Replaces everything by a restored vector (already a private copy of the right length). */
    void restore(float[] vector) {
        values.clear();
        restored = vector;
    }
}
