package dev.pacer.optim;

import dev.pacer.config.Check;
import java.util.List;
import java.util.Map;

/**
 * SGD-SaI (SGD with momentum and learning-rate Scaling at Initialization), from M. Xu, L. Xiang, X. Cai and
 * H. Wen, "No More Adam: Learning Rate Scaling at Initialization is All You Need", arXiv 2412.11768, 2024
 * (Algorithm 1).
 *
 * <p>At the first step only, from that step's (aggregated) gradient, every tensor {@code i} gets a fixed
 * learning-rate scale from its gradient signal-to-noise ratio:
 *
 * <pre>
 *   gsnr_i  = ||g_i||_2 / (std(g_i) + eps)          (std with Bessel's correction, 0 for a one-element tensor)
 *   scale_i = gsnr_i / max_k gsnr_k                 (Algorithm 1, line 14; normalize = false keeps gsnr_i,
 *                                                    as the official code v1.0.3 does)
 * </pre>
 *
 * and then, per element of tensor {@code i}, with the slice's {@code lr} and decoupled weight decay:
 *
 * <pre>
 *   buf = g                                  (first step)
 *   buf = mu * buf + (1 - mu) * g            (later steps)
 *   p   = p * (1 - lr * wd) - lr * scale_i * buf
 * </pre>
 *
 * The scales never change after the first step; a tensor whose first gradient is all zero gets scale 0.
 * On Spark the first gradient is the driver's sum over partitions, so the scales are computed once, from the
 * global batch, not per worker.
 *
 * <p>Defaults ({@code pacer.optimizer.sgd-sai}): momentum 0.9, eps 1e-8, weight decay 0.01 (official code),
 * normalize on (paper). State: {@code momentum_buffer}, and {@code lr_scale}, each tensor's scale repeated
 * over the tensor.
 */
public final class SgdSai extends ReducingOptimizer {

    public static final String MOMENTUM_BUFFER = "momentum_buffer";
    public static final String LR_SCALE = "lr_scale";

    /** The registry entry of {@code pacer.optimizer.name = sgd-sai} ({@link Optimizers#REGISTERED}). */
    public static final OptimizerSpec SPEC = OptimizerSpec.ownBlock("sgd-sai", Settings.class, SgdSai::new);

    /** {@code pacer.optimizer.sgd-sai}: momentum in [0, 1), eps &gt; 0, decoupled weight decay &gt;= 0. */
    public record Settings(double momentum, double eps, double weightDecay, boolean normalize)
            implements OptimizerSpec.Hyperparameters {
        public Settings {
            Check.inRange(SPEC.key("momentum"), momentum, 0, 1, false);
            Check.positive(SPEC.key("eps"), eps);
            Check.nonNegative(SPEC.key("weight-decay"), weightDecay);
        }
    }

    private final double momentum;
    private final double eps;
    private final boolean normalize;
    private final SliceScalars scales;

    /** With the given hyperparameters (weight decay comes with each step's slices). */
    public SgdSai(int size, double momentum, double eps, boolean normalize) {
        this(size, new Settings(momentum, eps, 0, normalize));
    }

    public SgdSai(int size, Settings s) {
        super(size, "SGD-SaI", MOMENTUM_BUFFER);
        this.momentum = s.momentum();
        this.eps = s.eps();
        this.normalize = s.normalize();
        this.scales = new SliceScalars(LR_SCALE, size, 0f);
    }

    @Override
    protected void checkBeforeUpdate(List<ParamSlice> slices, long t) {
        if (t == 1) {
            return;
        }
        for (ParamSlice s : slices) {
            if (s.length() > 0 && !scales.has(s)) {
                throw new IllegalArgumentException("SGD-SaI fixed its learning-rate scales at the first step, when"
                        + " tensor '" + s.name() + "' was not among the slices; pass the same slices every step");
            }
            scales.get(s); // a restored scale must be one value over the tensor
        }
    }

    /** This optimizer's slices' g-SNR at the first step, between its two phases. */
    private double[] ownGsnr;

    /** Phase one: at the first step, every slice's g-SNR (Algorithm 1, lines 11-13); nothing after. */
    @Override
    protected double[][] partials(float[] weights, float[] grads, List<ParamSlice> slices, long t) {
        if (t != 1) {
            return new double[slices.size()][]; // the scales are fixed: nothing to share
        }
        ownGsnr = new double[slices.size()];
        double[][] out = new double[slices.size()][];
        for (int k = 0; k < slices.size(); k++) {
            ownGsnr[k] = gsnr(grads, slices.get(k));
            out[k] = new double[] {ownGsnr[k]};
        }
        return out;
    }

    /** The g-SNR {@code ||g||₂ / (std(g) + eps)} of one tensor's gradient; 0 for an empty one. */
    private double gsnr(float[] grads, ParamSlice s) {
        int n = s.length();
        if (n == 0) {
            return 0;
        }
        double sum = 0;
        double sumSq = 0;
        for (int i = s.offset(); i < s.end(); i++) {
            double g = grads[i];
            sum += g;
            sumSq += g * g;
        }
        double mean = sum / n;
        double dev = 0;
        for (int i = s.offset(); i < s.end(); i++) {
            double c = grads[i] - mean;
            dev += c * c;
        }
        double std = n > 1 ? Math.sqrt(dev / (n - 1)) : 0.0;
        return Math.sqrt(sumSq) / (std + eps);
    }

    /** Phase two: at the first step the scales, normalised by the largest g-SNR of every tensor (line 14); then the update. */
    @Override
    protected void update(float[] weights, float[] grads, List<ParamSlice> slices, long t, List<double[]> all) {
        if (t == 1) {
            double max = 0;
            for (double[] p : all) {
                if (p != null) {
                    max = Math.max(max, p[0]);
                }
            }
            for (int k = 0; k < slices.size(); k++) {
                double scale = normalize ? (max > 0 ? ownGsnr[k] / max : 0.0) : ownGsnr[k];
                scales.set(slices.get(k), (float) scale);
            }
        }
        float[] buf = vector(0);
        for (ParamSlice s : slices) {
            double lr = s.lr();
            double decay = 1.0 - lr * s.weightDecay();
            double step = lr * scales.get(s);
            for (int i = s.offset(); i < s.end(); i++) {
                double g = grads[i];
                double b = t == 1 ? g : momentum * buf[i] + (1.0 - momentum) * g;
                buf[i] = (float) b;
                weights[i] = (float) (weights[i] * decay - step * b);
            }
        }
    }

    @Override
    protected void update(float[] weights, float[] grads, List<ParamSlice> slices, long t) {
        throw new IllegalStateException("SGD-SaI's step has two phases (partials, then the update)");
    }

    /** The fixed scale of a tensor (0 before the first step). */
    double scaleOf(ParamSlice s) {
        return scales.get(s);
    }

    @Override
    protected List<String> scalarStateNames() {
        return List.of(LR_SCALE);
    }

    @Override
    protected void writeScalarState(Map<String, float[]> out) {
        out.put(LR_SCALE, scales.toVector());
    }

    @Override
    protected void readScalarState(Map<String, float[]> state) {
        scales.restore(state.get(LR_SCALE));
    }

    @Override
    public String name() {
        return SPEC.id();
    }
}
