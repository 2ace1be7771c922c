package dev.pacer.optim;

import dev.pacer.config.Check;
import java.util.List;

/**
 * Adan (adaptive Nesterov momentum), from X. Xie, P. Zhou, H. Li, Z. Lin and S. Yan, "Adan: Adaptive
 * Nesterov Momentum Algorithm for Faster Optimizing Deep Models", IEEE TPAMI 2024 (arXiv 2208.06677,
 * Algorithm 1, without the optional restart), in the form of the authors' official PyTorch code: bias
 * correction, betas written as decay factors ({@code b_code = 1 - b_paper}), proximal weight decay.
 *
 * <p>Per element, with the slice's {@code lr} and weight decay {@code wd}, {@code bci = 1 - bi^t}:
 *
 * <pre>
 *   delta = g - g_prev              (0 at the first step)
 *   m     = b1 * m + (1 - b1) * g
 *   d     = b2 * d + (1 - b2) * delta
 *   n     = b3 * n + (1 - b3) * (g + b2 * delta)^2
 *   D     = sqrt(n) / sqrt(bc3) + eps
 *   p     = (p - lr / bc1 * m / D - lr * b2 / bc2 * d / D) / (1 + lr * wd)
 * </pre>
 *
 * <p>Defaults ({@code pacer.optimizer.adan}): betas (0.98, 0.92, 0.99) (= the paper's 0.02, 0.08, 0.01),
 * eps 1e-8, weight decay 0, from the official code (the paper's GPT-2 runs used weight decay 0.02). State:
 * {@code exp_avg} (m), {@code exp_avg_diff} (d), {@code exp_avg_sq} (n), {@code prev_grad}.
 */
public final class Adan extends ElementwiseOptimizer {

    public static final String EXP_AVG = "exp_avg";
    public static final String EXP_AVG_DIFF = "exp_avg_diff";
    public static final String EXP_AVG_SQ = "exp_avg_sq";
    public static final String PREV_GRAD = "prev_grad";

    /** The registry entry of {@code pacer.optimizer.name = adan} ({@link Optimizers#REGISTERED}). */
    public static final OptimizerSpec SPEC = OptimizerSpec.ownBlock("adan", Settings.class, Adan::new);

    /**
     * {@code pacer.optimizer.adan}: betas as the official code writes them (decay factors), each in
     * [0, 1); eps &gt; 0; proximal weight decay &gt;= 0.
     */
    public record Settings(double beta1, double beta2, double beta3, double eps, double weightDecay)
            implements OptimizerSpec.Hyperparameters {
        public Settings {
            SPEC.checkAdamTerms(beta1, beta2, eps, weightDecay);
            Check.inRange(SPEC.key("beta3"), beta3, 0, 1, false);
        }
    }

    private final double beta1;
    private final double beta2;
    private final double beta3;
    private final double eps;

    /** With the given hyperparameters (weight decay comes with each step's slices). */
    public Adan(int size, double beta1, double beta2, double beta3, double eps) {
        this(size, new Settings(beta1, beta2, beta3, eps, 0));
    }

    public Adan(int size, Settings s) {
        super(size, "Adan", EXP_AVG, EXP_AVG_DIFF, EXP_AVG_SQ, PREV_GRAD);
        this.beta1 = s.beta1();
        this.beta2 = s.beta2();
        this.beta3 = s.beta3();
        this.eps = s.eps();
    }

    @Override
    protected void update(float[] weights, float[] grads, List<ParamSlice> slices, long t) {
        float[] m = vector(0);
        float[] d = vector(1);
        float[] n = vector(2);
        float[] prev = vector(3);
        double bc1 = 1.0 - Math.pow(beta1, t);
        double bc2 = 1.0 - Math.pow(beta2, t);
        double sqrtBc3 = Math.sqrt(1.0 - Math.pow(beta3, t));
        for (ParamSlice s : slices) {
            double lr = s.lr();
            double stepM = lr / bc1;
            double stepD = lr * beta2 / bc2;
            double prox = 1.0 + lr * s.weightDecay();
            for (int i = s.offset(); i < s.end(); i++) {
                double g = grads[i];
                double delta = t == 1 ? 0.0 : g - prev[i];
                double mi = beta1 * m[i] + (1.0 - beta1) * g;
                double di = beta2 * d[i] + (1.0 - beta2) * delta;
                double u = g + beta2 * delta;
                double ni = beta3 * n[i] + (1.0 - beta3) * u * u;
                m[i] = (float) mi;
                d[i] = (float) di;
                n[i] = (float) ni;
                prev[i] = grads[i];
                double denom = Math.sqrt(ni) / sqrtBc3 + eps;
                weights[i] = (float) ((weights[i] - stepM * mi / denom - stepD * di / denom) / prox);
            }
        }
    }

    @Override
    public String name() {
        return SPEC.id();
    }
}
