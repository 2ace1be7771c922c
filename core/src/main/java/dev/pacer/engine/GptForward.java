package dev.pacer.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.pacer.model.GptConfig;

/**
 * The GPT-2 forward pass over parameter arrays in {@link dev.pacer.model.ParameterLayout} order.
 *
 * <p>Written with NDArray operations rather than DJL's block library so that the flat weight
 * layout maps one to one onto tensors, LayerNorm normalises over the feature axis only (DJL's
 * {@code LayerNorm} block normalises over time too, which leaks future tokens, see
 * shared/notes/engine.md) and attention has no hidden dropout. Layout of a block's tensors: 12
 * arrays in the order ln_1 (w, b), c_attn (w, b), attn.c_proj (w, b), ln_2 (w, b), c_fc (w, b),
 * mlp.c_proj (w, b).
 */
public final class GptForward {

    private static final int PER_BLOCK = 12;

    private GptForward() {}

    /**
     * Logits for {@code tokens} of shape (B, T), int64.
     *
     * @param params arrays in layout order
     * @param causalMask additive (T', T') mask with T' >= T: 0 on and below the diagonal, -inf above
     * @return (B, T, vocab) logits
     */
    public static NDArray logits(GptConfig cfg, NDArray[] params, NDArray tokens, NDArray causalMask) {
        long batch = tokens.getShape().get(0);
        long time = tokens.getShape().get(1);
        if (time > cfg.context()) {
            throw new IllegalArgumentException(
                    "sequence length " + time + " exceeds the model context " + cfg.context());
        }
        NDArray wte = params[0];
        NDArray wpe = params[1];
        NDArray x = embed(tokens, wte).add(wpe.get(new NDIndex("0:{}", time)));
        NDArray mask = causalMask.get(new NDIndex("0:{}, 0:{}", time, time));
        for (int layer = 0; layer < cfg.layers(); layer++) {
            int p = 2 + layer * PER_BLOCK;
            NDArray a = layerNorm(x, params[p], params[p + 1], cfg.eps());
            x = x.add(attention(cfg, a, params[p + 2], params[p + 3], params[p + 4], params[p + 5], mask, batch, time));
            NDArray m = layerNorm(x, params[p + 6], params[p + 7], cfg.eps());
            NDArray hidden = m.matMul(params[p + 8])
                    .add(params[p + 9])
                    .getNDArrayInternal()
                    .gelu();
            x = x.add(hidden.matMul(params[p + 10]).add(params[p + 11]));
        }
        int f = 2 + cfg.layers() * PER_BLOCK;
        x = layerNorm(x, params[f], params[f + 1], cfg.eps());
        return x.matMul(wte.transpose()); // output head tied to the token embedding
    }

    /**
     * Sum of next-token cross-entropy over all positions: {@code logits} (B, T, V) against
     * {@code targets} (B, T) int64. Returns a scalar.
     */
    public static NDArray crossEntropySum(NDArray logits, NDArray targets) {
        long vocab = logits.getShape().get(2);
        NDArray flat = logits.reshape(-1, vocab).logSoftmax(-1);
        NDArray picked = flat.gather(targets.reshape(-1, 1), 1);
        return picked.sum().neg();
    }

    /** Additive causal mask for sequences up to {@code length}, built on {@code like}'s manager. */
    public static NDArray causalMask(ai.djl.ndarray.NDManager manager, int length) {
        float[] m = new float[length * length];
        for (int i = 0; i < length; i++) {
            for (int j = i + 1; j < length; j++) {
                m[i * length + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return manager.create(m, new Shape(length, length));
    }

    private static NDArray embed(NDArray tokens, NDArray table) {
        NDList out = table.getNDArrayInternal().embedding(tokens, table, SparseFormat.DENSE);
        return out.singletonOrThrow();
    }

    private static NDArray layerNorm(NDArray x, NDArray gain, NDArray bias, double eps) {
        Shape feature = new Shape(x.getShape().get(x.getShape().dimension() - 1));
        return x.getNDArrayInternal()
                .layerNorm(x, feature, gain, bias, (float) eps)
                .singletonOrThrow();
    }

    private static NDArray attention(
            GptConfig cfg,
            NDArray a,
            NDArray wQkv,
            NDArray bQkv,
            NDArray wOut,
            NDArray bOut,
            NDArray mask,
            long batch,
            long time) {
        int heads = cfg.heads();
        int hd = cfg.headDim();
        NDList qkv = a.matMul(wQkv).add(bQkv).split(3, 2);
        NDArray q = splitHeads(qkv.get(0), batch, time, heads, hd);
        NDArray k = splitHeads(qkv.get(1), batch, time, heads, hd);
        NDArray v = splitHeads(qkv.get(2), batch, time, heads, hd);
        // Not mul(Number): DJL's PyTorch engine puts the number in a direct buffer wrapped without a
        // copy (from_blob) and closes that array as soon as mul returns, while autograd keeps the
        // scalar to scale the gradient in backward; once the buffer is garbage collected backward
        // reads freed memory and the query/key gradients come out wrong. Kept in the array's manager,
        // the scalar lives until the step's manager closes, after backward.
        NDArray scale = q.getManager().create(1.0 / Math.sqrt(hd));
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale).add(mask);
        NDArray y = scores.softmax(-1).matMul(v); // (B, H, T, hd)
        y = y.transpose(0, 2, 1, 3).reshape(batch, time, (long) heads * hd);
        return y.matMul(wOut).add(bOut);
    }

    private static NDArray splitHeads(NDArray t, long batch, long time, int heads, int hd) {
        return t.reshape(batch, time, heads, hd).transpose(0, 2, 1, 3);
    }
}
