package dev.pacer.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Common machinery of the optimizers whose state is a few float32 vectors as long as the weight vector
 * (moments, buffers), plus optionally a few scalars per tensor or per run: argument checks before anything
 * is modified, the step counter, and exact {@link #state()}/{@link #restore} of every vector.
 *
 * <p>Checkpoints store each state vector split by tensor (the run's {@code CheckpointStore}), so every
 * state entry, scalars included, is a vector of the optimizer's size: a per-tensor scalar is written as a
 * vector constant over that tensor's span ({@link SliceScalars}), a per-run scalar as a constant vector.
 * Scalars are held as float32 between steps, so a restored optimizer continues bit-identically.
 *
 * <p>Subclasses compute each element's update in double precision from the stored float32 values and round
 * once when storing, like {@link AdamW}.
 */
abstract class FlatStateOptimizer implements Optimizer {

    protected final int size;
    private final String displayName;
    private final List<String> vectorNames;
    private final float[][] vectors;
    private long step;
    private int threads = 1;

    /**
     * @param size        length of the flat weight vector, {@code >= 0}
     * @param displayName the algorithm's name in error messages, e.g. "Lion"
     * @param vectorNames names of the per-element state vectors, in checkpoint order
     */
    protected FlatStateOptimizer(int size, String displayName, String... vectorNames) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, got " + size);
        }
        this.size = size;
        this.displayName = displayName;
        this.vectorNames = List.of(vectorNames);
        this.vectors = new float[vectorNames.length][];
        for (int k = 0; k < vectorNames.length; k++) {
            vectors[k] = new float[size];
        }
    }

    public int size() {
        return size;
    }

    /** The live per-element state vector {@code k} (constructor order). */
    protected final float[] vector(int k) {
        return vectors[k];
    }

    @Override
    public final void step(float[] weights, float[] grads, List<ParamSlice> slices) {
        double[][] partials = beginStep(weights, grads, slices);
        finishStep(weights, grads, slices, partials == null ? null : Arrays.asList(partials));
    }

    @Override
    public final double[][] beginStep(float[] weights, float[] grads, List<ParamSlice> slices) {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(grads, "grads");
        Objects.requireNonNull(slices, "slices");
        if (weights.length != size) {
            throw new IllegalArgumentException("weights length " + weights.length + " != optimizer size " + size);
        }
        if (grads.length != size) {
            throw new IllegalArgumentException("grads length " + grads.length + " != optimizer size " + size);
        }
        checkSlices(slices);
        long t = step + 1;
        checkBeforeUpdate(slices, t);
        return partials(weights, grads, slices, t);
    }

    @Override
    public final void finishStep(float[] weights, float[] grads, List<ParamSlice> slices, List<double[]> allPartials) {
        long t = step + 1;
        if (allPartials != null) {
            update(weights, grads, slices, t, allPartials);
        } else if (elementwise() && threads > 1) {
            ElementRanges.inParallel(slices, threads, part -> update(weights, grads, part, t));
        } else {
            update(weights, grads, slices, t);
        }
        step = t;
    }

    @Override
    public final void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
    }

    /**
     * Whether each element's update reads and writes only that element of the weights, gradients
     * and state vectors (the step's scalars aside): then contiguous ranges of a tensor may be updated
     * on different threads with the same result. False by default (per-tensor norms, global sums).
     */
    protected boolean elementwise() {
        return false;
    }

    /**
     * Phase one of step {@code t} for optimizers whose update needs scalars from every tensor (see
     * {@link Optimizer#beginStep}); null by default: every slice's update is its own.
     */
    protected double[][] partials(float[] weights, float[] grads, List<ParamSlice> slices, long t) {
        return null;
    }

    /** Phase two of step {@code t}, given every tensor's partials; only for optimizers with {@link #partials}. */
    protected void update(float[] weights, float[] grads, List<ParamSlice> slices, long t, List<double[]> allPartials) {
        throw new IllegalStateException(displayName + " has no global reduction");
    }

    /**
     * Optimizer-specific checks of a step's slices, run before anything is modified; throws
     * {@link IllegalArgumentException} naming the problem. Nothing by default.
     */
    protected void checkBeforeUpdate(List<ParamSlice> slices, long t) {}

    /**
     * Performs step {@code t} (1 for the first step) in place. Arguments are already checked.
     */
    protected abstract void update(float[] weights, float[] grads, List<ParamSlice> slices, long t);

    /** Bounds and non-overlap of all slices, checked before anything is modified. */
    private void checkSlices(List<ParamSlice> slices) {
        List<ParamSlice> sorted = new ArrayList<>(slices.size());
        for (ParamSlice s : slices) {
            Objects.requireNonNull(s, "slices contains null");
            if (s.end() > size) {
                throw new IllegalArgumentException("slice '" + s.name() + "' [" + s.offset() + ", " + s.end()
                        + ") exceeds the weight vector length " + size);
            }
            if (s.length() > 0) {
                sorted.add(s);
            }
        }
        sorted.sort(Comparator.comparingInt(ParamSlice::offset));
        for (int k = 1; k < sorted.size(); k++) {
            ParamSlice prev = sorted.get(k - 1);
            ParamSlice cur = sorted.get(k);
            if (prev.end() > cur.offset()) {
                throw new IllegalArgumentException("slices '" + prev.name() + "' [" + prev.offset() + ", "
                        + prev.end() + ") and '" + cur.name() + "' [" + cur.offset() + ", " + cur.end()
                        + ") overlap");
            }
        }
    }

    @Override
    public final long stepCount() {
        return step;
    }

    @Override
    public final Map<String, float[]> state() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int k = 0; k < vectors.length; k++) {
            out.put(vectorNames.get(k), vectors[k].clone());
        }
        writeScalarState(out);
        return out;
    }

    /** Names of the scalar state entries (each a vector of the optimizer's size in {@link #state()}). */
    protected List<String> scalarStateNames() {
        return List.of();
    }

    /** Adds the scalar state entries, as fresh vectors, to a {@link #state()} map. */
    protected void writeScalarState(Map<String, float[]> out) {}

    /**
     * Takes the scalar state entries from a restored map; lengths and names are already checked. The
     * arrays are private copies.
     */
    protected void readScalarState(Map<String, float[]> state) {}

    /** Called at the end of a successful {@link #restore}, e.g. to drop cached values. */
    protected void afterRestore() {}

    @Override
    public final void restore(Map<String, float[]> state, long stepCount) {
        Objects.requireNonNull(state, "state");
        if (stepCount < 0) {
            throw new IllegalArgumentException("stepCount must be >= 0, got " + stepCount);
        }
        Set<String> expected = new LinkedHashSet<>(vectorNames);
        expected.addAll(scalarStateNames());
        for (String key : state.keySet()) {
            if (!expected.contains(key)) {
                throw new IllegalArgumentException("unknown " + displayName + " state '" + key + "' (expected "
                        + String.join(", ", expected) + ")");
            }
        }
        Map<String, float[]> copies = new LinkedHashMap<>();
        for (String key : expected) {
            float[] a = state.get(key);
            if (a == null) {
                throw new IllegalArgumentException("missing " + displayName + " state '" + key + "'");
            }
            if (a.length != size) {
                throw new IllegalArgumentException(
                        displayName + " state '" + key + "' has length " + a.length + ", expected " + size);
            }
            copies.put(key, a.clone());
        }
        readScalarState(copies);
        for (int k = 0; k < vectors.length; k++) {
            vectors[k] = copies.get(vectorNames.get(k));
        }
        step = stepCount;
        afterRestore();
    }

    /** A vector of the optimizer's size holding {@code value} everywhere: a per-run scalar in a checkpoint. */
    protected final float[] constantVector(float value) {
        float[] v = new float[size];
        java.util.Arrays.fill(v, value);
        return v;
    }

    /**
     * The value of a per-run scalar read back from its constant vector; {@code fallback} for an optimizer of
     * size 0, whose vectors hold nothing.
     */
    protected final float constantValue(Map<String, float[]> state, String key, float fallback) {
        float[] v = state.get(key);
        if (v.length == 0) {
            return fallback;
        }
        float first = v[0];
        for (float x : v) {
            if (Float.floatToIntBits(x) != Float.floatToIntBits(first)) {
                throw new IllegalArgumentException(displayName + " state '" + key
                        + "' must hold one value everywhere (a scalar), but holds " + first + " and " + x);
            }
        }
        return first;
    }

    /** Throws unless the slice's tensor shape is known. */
    protected final void requireShape(ParamSlice s) {
        if (!s.hasShape()) {
            throw new IllegalArgumentException(displayName + " needs each tensor's shape, but slice '" + s.name()
                    + "' has none: build the slices with ParamSlice.of(TensorSpec, lr, weightDecay)");
        }
    }
}
