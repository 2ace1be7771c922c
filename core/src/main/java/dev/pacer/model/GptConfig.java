package dev.pacer.model;

/**
 * Shape of a GPT-2 layout decoder: vocabulary, context length, width, depth and heads.
 *
 * @param vocab number of token ids the embedding holds
 * @param context longest sequence the learned position embedding covers
 * @param width model (residual stream) width, divisible by {@code heads}
 * @param layers number of transformer blocks
 * @param heads attention heads per block
 * @param eps LayerNorm epsilon (GPT-2 uses 1e-5)
 */
public record GptConfig(int vocab, int context, int width, int layers, int heads, double eps)
        implements java.io.Serializable {

    public GptConfig {
        positive("vocab", vocab);
        positive("context", context);
        positive("width", width);
        positive("layers", layers);
        positive("heads", heads);
        if (width % heads != 0) {
            throw new IllegalArgumentException("model width " + width + " is not divisible by heads " + heads
                    + ": choose a width that is a multiple of the head count");
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("LayerNorm eps must be > 0, got " + eps);
        }
    }

    public int headDim() {
        return width / heads;
    }

    /**
     * Closed-form parameter count: token and position embeddings, per block two LayerNorms
     * (4d), the fused QKV projection (3d² + 3d), the attention output (d² + d) and the MLP
     * (4d² + 4d + 4d² + d), i.e. 12d² + 13d, and the final LayerNorm (2d). The head is tied to
     * the token embedding and adds nothing.
     */
    public long parameterCount() {
        long d = width;
        return (long) vocab * d + (long) context * d + layers * (12 * d * d + 13 * d) + 2 * d;
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("model " + name + " must be > 0, got " + value);
        }
    }
}
