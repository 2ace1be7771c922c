package dev.pacer.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.pacer.model.GptConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The GPT-2 forward pass over parameter arrays in {@link dev.pacer.model.ParameterLayout} order,
 * in fp32 or with bf16 compute ({@link Precision}).
 *
 * <p>Written as TorchScript that libtorch compiles at start-up ({@link TorchScript}) rather than
 * as one DJL call per operation: DJL's JNI cannot make bfloat16 tensors and has no fused
 * attention, and a block costs one call instead of about thirty. The flat weight layout maps one
 * to one onto tensors; LayerNorm normalises over the feature axis only (DJL's {@code LayerNorm}
 * block normalises over time too, which leaks future tokens); attention is causal
 * scaled-dot-product attention without dropout. Layout of a block's tensors: 12 arrays in the
 * order ln_1 (w, b), c_attn (w, b), attn.c_proj (w, b), ln_2 (w, b), c_fc (w, b), mlp.c_proj
 * (w, b); linear weights are (in, out).
 *
 * <p>With bf16, every matrix product and the attention take bf16 inputs (activations, weights and
 * biases cast from fp32) and give bf16 outputs; GELU runs on bf16. The embeddings, the residual
 * stream (fp32 + bf16 promotes to fp32), the layer norms, the softmax statistics inside the
 * attention kernel and the loss stay fp32, as under PyTorch's CPU autocast. The casts are part of
 * the autograd graph, so gradients arrive at the fp32 parameters in fp32.
 */
public final class GptForward implements AutoCloseable {

    private static final int PER_BLOCK = 12;

    /** fp32: libtorch's fused causal attention kernel. */
    private static final String FUSED_ATTENTION =
            "y = torch.scaled_dot_product_attention(heads[0], heads[1], heads[2], None, 0., True)";

    /**
     * bf16: attention as two matrix products, as PyTorch's reference attention computes it (the
     * scale split over q and k, each rounded; scores and output products in bf16; the softmax in
     * fp32, its probabilities rounded to bf16). The causal mask is one (T, T) triangle of -inf made
     * per forward pass and added to the scores: adding 0 leaves a score's bits as they were, so this
     * computes what filling the masked scores with -inf did, without building and applying a
     * boolean mask of the scores' full shape in every layer (7% of the small preset's bf16 step on
     * the development machine, docs/precision.md). On the development machine (AVX-512 BF16) libtorch
     * 2.7's fused kernel in bf16 made the small preset's bf16 step about 1.5 times slower than this
     * (docs/precision.md); in fp32 the fused kernel is as fast or faster, so fp32 keeps it.
     */
    private static final String MATMUL_ATTENTION = String.join(
            "\n    ",
            "q = torch.mul(heads[0], {ROOT_SCALE})",
            "k = torch.mul(heads[1], {ROOT_SCALE})",
            "att = torch.add(torch.matmul(q, torch.transpose(k, -2, -1)), mask)",
            "y = torch.matmul(torch.to(torch.softmax(att, -1, 6), {COMPUTE}), heads[2])");

    /**
     * The model in serialized TorchScript; {LAYERS}, {WIDTH}, {HEADS}, {HEAD_DIM}, {EPS} and
     * {COMPUTE} (the ScalarType of matrix products) are filled in per model and precision. Ops
     * are aten builtins: torch.linear(x, w.t(), b) is x @ w + b with the bias fused, torch.to(x,
     * 6) casts to fp32 and returns x itself when it already is.
     */
    private static final String SOURCE = """
              def compute_copies(self: __torch__.Gpt, p: List[Tensor]) -> List[Tensor]:
                return [torch.to(w, {COMPUTE}) for w in p]
              def logits(self: __torch__.Gpt, tokens: Tensor, p: List[Tensor], c: List[Tensor]) -> Tensor:
                h = torch.to(self.hidden(tokens, p, c), {COMPUTE})
                return torch.to(torch.matmul(h, torch.t(c[0])), 6)
              def loss_sum(self: __torch__.Gpt, tokens: Tensor, targets: Tensor, p: List[Tensor], c: List[Tensor]) -> Tensor:
                logits = self.logits(tokens, p, c)
                flat = torch.view(logits, [-1, torch.size(logits, -1)])
                return torch.cross_entropy_loss(flat, torch.view(targets, [-1]), None, 2, -100, 0.)
              def hidden(self: __torch__.Gpt, tokens: Tensor, p: List[Tensor], c: List[Tensor]) -> Tensor:
                t = torch.size(tokens, 1)
                x = torch.add(torch.embedding(p[0], tokens), torch.slice(p[1], 0, 0, t))
                mask = torch.triu(torch.full([t, t], float("-inf"), dtype={COMPUTE}), 1)
                for i in range({LAYERS}):
                  x = self.block(x, p, c, mask, 2 + 12 * i)
                f = 2 + 12 * {LAYERS}
                return torch.layer_norm(x, [{WIDTH}], p[f], p[f + 1], {EPS}, False)
              def block(self: __torch__.Gpt, x: Tensor, p: List[Tensor], c: List[Tensor], mask: Tensor, j: int) -> Tensor:
                b = torch.size(x, 0)
                t = torch.size(x, 1)
                a = torch.to(torch.layer_norm(x, [{WIDTH}], p[j], p[j + 1], {EPS}, False), {COMPUTE})
                qkv = torch.linear(a, torch.t(c[j + 2]), c[j + 3])
                heads = torch.permute(torch.view(qkv, [b, t, 3, {HEADS}, {HEAD_DIM}]), [2, 0, 3, 1, 4])
                {ATTN}
                y = torch.reshape(torch.transpose(y, 1, 2), [b, t, {WIDTH}])
                x = torch.add(x, torch.linear(y, torch.t(c[j + 4]), c[j + 5]))
                m = torch.to(torch.layer_norm(x, [{WIDTH}], p[j + 6], p[j + 7], {EPS}, False), {COMPUTE})
                h = torch.gelu(torch.linear(m, torch.t(c[j + 8]), c[j + 9]))
                return torch.add(x, torch.linear(h, torch.t(c[j + 10]), c[j + 11]))
            """;

    private final GptConfig config;
    private final Precision precision;
    private final TorchScript script;

    private GptForward(GptConfig config, Precision precision, TorchScript script) {
        this.config = config;
        this.precision = precision;
        this.script = script;
    }

    /** Compiles the model for {@code config} in {@code precision} on {@code manager}'s device. */
    public static GptForward compile(NDManager manager, GptConfig config, Precision precision) {
        String methods = SOURCE.replace("{ATTN}", precision == Precision.BF16 ? MATMUL_ATTENTION : FUSED_ATTENTION)
                .replace(
                        "{ROOT_SCALE}",
                        String.format(Locale.ROOT, "%.17e", Math.sqrt(1.0 / Math.sqrt(config.headDim()))))
                .replace("{LAYERS}", Integer.toString(config.layers()))
                .replace("{WIDTH}", Integer.toString(config.width()))
                .replace("{HEADS}", Integer.toString(config.heads()))
                .replace("{HEAD_DIM}", Integer.toString(config.headDim()))
                .replace("{EPS}", String.format(Locale.ROOT, "%.17e", config.eps()))
                .replace("{COMPUTE}", Integer.toString(precision.scalarType()));
        return new GptForward(config, precision, TorchScript.compile(manager, "Gpt", methods));
    }

    public Precision precision() {
        return precision;
    }

    /**
     * Per tensor in layout order, whether the forward pass reads it only through its
     * compute-precision copy: the matrices and biases of the four linear layers of every block.
     * The embeddings (the token embedding is also read in fp32 by the lookup) and the layer norms
     * are read in fp32. In bf16 such a tensor's own fp32 bits beyond its bf16 rounding change
     * nothing the model computes, gradients included (the cast passes them through unchanged).
     */
    public static boolean[] readOnlyAsComputeCopy(GptConfig config) {
        boolean[] copyOnly = new boolean[2 + PER_BLOCK * config.layers() + 2];
        for (int i = 0; i < config.layers(); i++) {
            int j = 2 + PER_BLOCK * i;
            for (int k : new int[] {2, 3, 4, 5, 8, 9, 10, 11}) {
                copyOnly[j + k] = true;
            }
        }
        return copyOnly;
    }

    /**
     * Parameters ready for forward passes: the fp32 arrays and their copies in the compute
     * precision (the same tensors in fp32), cast once for all micro-batches of a call. The casts
     * are part of the autograd graph and keep no tensors for backward, so every micro-batch's
     * backward pass runs through them into the fp32 parameters' gradients.
     */
    public final class Weights {
        private final List<NDArray> params;
        private final List<NDArray> copies;

        private Weights(List<NDArray> params, List<NDArray> copies) {
            this.params = params;
            this.copies = copies;
        }
    }

    /** {@code params} (layout order, fp32) with their compute-precision copies. */
    public Weights weights(NDArray[] params) {
        if (params.length != 2 + PER_BLOCK * config.layers() + 2) {
            throw new IllegalArgumentException(
                    params.length + " parameter arrays for a model of " + config.layers() + " layers");
        }
        List<NDArray> named = named(List.of(params), "p[]");
        return new Weights(named, named(script.callForList("compute_copies", named), "c[]"));
    }

    /** fp32 logits (B, T, vocab) for {@code tokens} of shape (B, T), int64. */
    public NDArray logits(Weights w, NDArray tokens) {
        return script.call("logits", arguments(w, tokens));
    }

    /**
     * Sum of next-token cross-entropy over all positions, in fp32: the logits of {@code tokens}
     * (B, T) against {@code targets} (B, T), both int64. A scalar.
     */
    public NDArray lossSum(Weights w, NDArray tokens, NDArray targets) {
        return script.call("loss_sum", arguments(w, tokens, targets));
    }

    private List<NDArray> arguments(Weights w, NDArray... tokenArrays) {
        long time = tokenArrays[0].getShape().get(1);
        if (time > config.context()) {
            throw new IllegalArgumentException(
                    "sequence length " + time + " exceeds the model context " + config.context());
        }
        List<NDArray> args = new ArrayList<>(List.of(tokenArrays));
        args.addAll(w.params);
        args.addAll(w.copies);
        return args;
    }

    /** DJL passes arrays named "<name>[]" as one List[Tensor] argument, in their order. */
    private static List<NDArray> named(List<NDArray> arrays, String name) {
        arrays.forEach(a -> a.setName(name));
        return arrays;
    }

    @Override
    public void close() {
        script.close();
    }
}
