package dev.pacer.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.pacer.model.ParameterLayout;
import dev.pacer.model.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * One model on one device that turns flat weights plus token sequences into summed gradients
 * (training) or summed losses (evaluation). Executors keep a few of these per JVM and use each
 * from one thread at a time.
 *
 * <p>Memory: every call works inside its own {@link NDManager} and each micro-batch inside an
 * {@link NDScope}, so the autograd graph and activations are released when the call returns;
 * the only long-lived native allocation is one direct buffer holding the weights.
 *
 * <p>Autograd: {@code PtGradientCollector} guards with a JVM-wide flag, so two Spark tasks in
 * one executor could not collect at once. libtorch's grad mode is thread-local, so this class
 * switches it on for its own thread and calls backward directly; parameters are fresh leaf
 * tensors each call, so no gradient needs zeroing.
 *
 * <p>A sequence is {@code seqLen + 1} token ids: positions {@code [0, seqLen)} are inputs and
 * {@code [1, seqLen]} the targets.
 */
public final class ModelReplica implements Replica {

    private final ParameterLayout layout;
    private final NDManager root;
    private final GptForward forward;
    private final ByteBuffer weightBuffer;

    /** An fp32 replica. */
    public ModelReplica(ParameterLayout layout, Device device) {
        this(layout, device, Precision.FP32);
    }

    /** A replica that computes in {@code precision}; weights and gradients are fp32 either way. */
    public ModelReplica(ParameterLayout layout, Device device, Precision precision) {
        this.layout = layout;
        this.root = NDManager.newBaseManager(device);
        this.forward = GptForward.compile(root, layout.config(), precision);
        this.weightBuffer =
                ByteBuffer.allocateDirect(layout.totalSize() * Float.BYTES).order(ByteOrder.nativeOrder());
    }

    public ParameterLayout layout() {
        return layout;
    }

    public Device device() {
        return root.getDevice();
    }

    public Precision precision() {
        return forward.precision();
    }

    /** Loss and token count of one call; gradients go to the caller's array. */
    public record LossSum(double loss, long tokens) {}

    /**
     * Forward and backward over {@code sequences} in micro-batches of {@code microBatch};
     * {@code gradOut} (length {@link ParameterLayout#totalSize()}) receives the gradient of the
     * summed token loss, overwriting what it held.
     */
    public LossSum gradients(float[] weights, List<int[]> sequences, int microBatch, float[] gradOut) {
        return gradients(weights, sequences, microBatch, gradOut, null);
    }

    /**
     * As {@link #gradients(float[], List, int, float[])}, but only tensors marked in
     * {@code trainable} (layout order; null = all) require a gradient: autograd computes none for
     * the others (frozen groups), whose entries in {@code gradOut} are set to 0.
     */
    @Override
    public LossSum gradients(
            float[] weights, List<int[]> sequences, int microBatch, float[] gradOut, boolean[] trainable) {
        checkSizes(weights, gradOut);
        if (trainable != null && trainable.length != layout.tensors().size()) {
            throw new IllegalArgumentException("trainable mask has " + trainable.length + " entries, the model has "
                    + layout.tensors().size() + " tensors");
        }
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
        try (NDManager step = root.newSubManager()) {
            NDArray[] params = loadParams(
                    step, weights, trainable == null ? all(layout.tensors().size()) : trainable);
            LossSum sum = microBatches(step, forward.weights(params), sequences, microBatch, true);
            for (int i = 0; i < params.length; i++) {
                TensorSpec t = layout.tensors().get(i);
                if (!params[i].hasGradient()) {
                    java.util.Arrays.fill(gradOut, t.offset(), t.offset() + t.size(), 0f);
                    continue;
                }
                try (NDArray g = params[i].getGradient()) {
                    // a view of the gradient's own memory: one bulk copy into gradOut, where the
                    // default toByteBuffer() copied into a new byte[] first and then converted
                    // element by element through a heap buffer view
                    g.toByteBuffer(true)
                            .order(ByteOrder.nativeOrder())
                            .asFloatBuffer()
                            .get(gradOut, t.offset(), t.size());
                }
            }
            return sum;
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    /** Forward only: summed token loss over {@code sequences}, for validation and probes. */
    @Override
    public LossSum loss(float[] weights, List<int[]> sequences, int microBatch) {
        checkSizes(weights, null);
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager step = root.newSubManager()) {
            return microBatches(step, forward.weights(loadParams(step, weights, null)), sequences, microBatch, false);
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    /** Logits (B, T, V) flattened row-major, for tests and sampling. */
    public float[] logits(float[] weights, long[][] tokens) {
        checkSizes(weights, null);
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager step = root.newSubManager()) {
            GptForward.Weights w = forward.weights(loadParams(step, weights, null));
            return forward.logits(w, step.create(tokens)).toFloatArray();
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    /**
     * Forward (and, if {@code backward}, backward) over {@code sequences} in micro-batches; each
     * micro-batch's graph and activations are freed by its scope, gradients accumulate in the
     * parameters.
     */
    private LossSum microBatches(
            NDManager step, GptForward.Weights w, List<int[]> sequences, int microBatch, boolean backward) {
        double loss = 0;
        long tokens = 0;
        for (int start = 0; start < sequences.size(); start += microBatch) {
            List<int[]> mb = sequences.subList(start, Math.min(sequences.size(), start + microBatch));
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray[] io = inputsAndTargets(step, mb);
                NDArray lossSum = forward.lossSum(w, io[0], io[1]);
                loss += lossSum.getFloat();
                tokens += io[1].size();
                if (backward) {
                    JniUtils.backward((PtNDArray) lossSum, (PtNDArray) step.ones(new Shape()), false, false);
                }
            }
        }
        return new LossSum(loss, tokens);
    }

    private static boolean[] all(int n) {
        boolean[] b = new boolean[n];
        java.util.Arrays.fill(b, true);
        return b;
    }

    private NDArray[] loadParams(NDManager step, float[] weights, boolean[] requiresGrad) {
        FloatBuffer fb = weightBuffer.clear().asFloatBuffer();
        fb.put(weights);
        List<TensorSpec> tensors = layout.tensors();
        NDArray[] params = new NDArray[tensors.size()];
        for (int i = 0; i < params.length; i++) {
            TensorSpec t = tensors.get(i);
            ByteBuffer slice = weightBuffer
                    .slice(t.offset() * Float.BYTES, t.size() * Float.BYTES)
                    .order(ByteOrder.nativeOrder());
            params[i] = step.create(slice, new Shape(t.shape()), DataType.FLOAT32);
            if (requiresGrad != null && requiresGrad[i]) {
                params[i].setRequiresGradient(true);
            }
        }
        return params;
    }

    private static NDArray[] inputsAndTargets(NDManager manager, List<int[]> mb) {
        int len = mb.get(0).length - 1;
        long[][] in = new long[mb.size()][len];
        long[][] out = new long[mb.size()][len];
        for (int b = 0; b < mb.size(); b++) {
            int[] seq = mb.get(b);
            if (seq.length != len + 1) {
                throw new IllegalArgumentException(
                        "sequences in one micro-batch differ in length: " + seq.length + " vs " + (len + 1));
            }
            for (int t = 0; t < len; t++) {
                in[b][t] = seq[t];
                out[b][t] = seq[t + 1];
            }
        }
        return new NDArray[] {manager.create(in), manager.create(out)};
    }

    private void checkSizes(float[] weights, float[] grads) {
        if (weights.length != layout.totalSize()) {
            throw new IllegalArgumentException(
                    "weights hold " + weights.length + " values, the model needs " + layout.totalSize());
        }
        if (grads != null && grads.length != layout.totalSize()) {
            throw new IllegalArgumentException(
                    "gradient buffer holds " + grads.length + " values, the model needs " + layout.totalSize());
        }
    }

    @Override
    public void close() {
        forward.close();
        root.close();
    }
}
