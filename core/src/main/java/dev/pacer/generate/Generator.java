package dev.pacer.generate;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.pacer.engine.GptForward;
import dev.pacer.engine.Precision;
import dev.pacer.model.GptConfig;
import dev.pacer.model.ParameterLayout;
import dev.pacer.model.TensorSpec;
import java.util.Arrays;

/**
 * Autoregressive text continuation with fixed weights: the next token comes from the logits at
 * the last position of a window holding the newest {@code context} tokens (the model's learned
 * position table covers no more). Weights are loaded into tensors once; each token then costs
 * one forward pass over the window (no key/value cache: the presets are small and this keeps the
 * forward pass the one that training uses, {@link GptForward}).
 */
public final class Generator implements AutoCloseable {

    private final GptConfig config;
    private final NDManager manager;
    private final NDArray[] params;
    private final GptForward forward;

    public Generator(ParameterLayout layout, float[] weights, Device device) {
        if (weights.length != layout.totalSize()) {
            throw new IllegalArgumentException(
                    "weights hold " + weights.length + " values, the model needs " + layout.totalSize());
        }
        this.config = layout.config();
        this.manager = NDManager.newBaseManager(device);
        this.params = new NDArray[layout.tensors().size()];
        for (int i = 0; i < params.length; i++) {
            TensorSpec t = layout.tensors().get(i);
            params[i] = manager.create(
                    Arrays.copyOfRange(weights, t.offset(), t.offset() + t.size()), new Shape(t.shape()));
        }
        this.forward = GptForward.compile(manager, config, Precision.FP32);
    }

    public GptConfig config() {
        return config;
    }

    /** Logits over the vocabulary for the token after {@code window} (1 to context tokens). */
    public float[] nextTokenLogits(int[] window) {
        if (window.length == 0 || window.length > config.context()) {
            throw new IllegalArgumentException(
                    "the window holds " + window.length + " tokens; the model reads 1 to " + config.context());
        }
        long[][] input = new long[1][window.length];
        for (int i = 0; i < window.length; i++) {
            if (window[i] < 0 || window[i] >= config.vocab()) {
                throw new IllegalArgumentException("token id " + window[i] + " at position " + i
                        + " is outside the vocabulary 0.." + (config.vocab() - 1));
            }
            input[0][i] = window[i];
        }
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray tokens = manager.create(input);
            NDArray logits = forward.logits(forward.weights(params), tokens);
            return logits.get(new NDIndex("0, {}", window.length - 1)).toFloatArray();
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    /**
     * Up to {@code maxTokens} tokens continuing {@code prompt} (1 to context tokens). Stops early,
     * without emitting it, at {@code stopToken} (pass -1 to never stop early).
     */
    public int[] continuation(int[] prompt, int maxTokens, NextTokenSampler sampler, int stopToken) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: give at least one token to continue");
        }
        if (prompt.length > config.context()) {
            throw new IllegalArgumentException(
                    "the prompt is " + prompt.length + " tokens but the model reads at most " + config.context());
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException("maxTokens must be >= 0, got " + maxTokens);
        }
        int[] all = Arrays.copyOf(prompt, prompt.length + maxTokens);
        int length = prompt.length;
        for (int n = 0; n < maxTokens; n++) {
            int from = Math.max(0, length - config.context());
            float[] logits = nextTokenLogits(Arrays.copyOfRange(all, from, length));
            int next = sampler.next(logits, 0, config.vocab());
            if (next == stopToken) {
                break;
            }
            all[length++] = next;
        }
        return Arrays.copyOfRange(all, prompt.length, length);
    }

    @Override
    public void close() {
        forward.close();
        manager.close();
    }
}
