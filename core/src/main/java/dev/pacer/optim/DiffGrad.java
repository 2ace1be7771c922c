package dev.pacer.optim;

import java.util.List;

/**
 * diffGrad, from S. R. Dubey, S. Chakraborty, S. K. Roy, S. Mukherjee, S. K. Singh and B. B. Chaudhuri,
 * "diffGrad: An Optimization Method for Convolutional Neural Networks", IEEE TNNLS 31(11):4500-4511, 2020
 * (arXiv 1909.11015: the diffGrad update with the "AbsSig" friction coefficient), in the form of the
 * authors' corrected code (the first public version aliased its previous-gradient buffer to the current
 * gradient, which made the friction coefficient a constant 0.5).
 *
 * <p>Per element, with the slice's {@code lr} and decoupled weight decay {@code wd}, {@code bci = 1 - bi^t}:
 *
 * <pre>
 *   m  = b1 * m + (1 - b1) * g                    v = b2 * v + (1 - b2) * g^2
 *   xi = 1 / (1 + exp(-|g_prev - g|))             (g_prev = 0 before the first step)
 *   p  = p * (1 - lr * wd) - lr * sqrt(bc2) / bc1 * xi * m / (sqrt(v) + eps)
 * </pre>
 *
 * <p>The paper defines no weight decay and the official code's is an L2 term; Pacer applies the slice's
 * decay in decoupled (AdamW) form like its other Adam variants. Defaults ({@code pacer.optimizer.diffgrad}):
 * betas (0.9, 0.999), eps 1e-8, weight decay 0 (official code). State: {@code exp_avg}, {@code exp_avg_sq},
 * {@code previous_grad}.
 */
public final class DiffGrad extends ElementwiseOptimizer {

    public static final String EXP_AVG = "exp_avg";
    public static final String EXP_AVG_SQ = "exp_avg_sq";
    public static final String PREVIOUS_GRAD = "previous_grad";

    /** The registry entry of {@code pacer.optimizer.name = diffgrad} ({@link Optimizers#REGISTERED}). */
    public static final OptimizerSpec SPEC = OptimizerSpec.ownBlock("diffgrad", AdamTerms.class, DiffGrad::new);

    private final AdamTerms terms;

    /** With the given hyperparameters (weight decay comes with each step's slices). */
    public DiffGrad(int size, AdamTerms s) {
        super(size, "diffGrad", EXP_AVG, EXP_AVG_SQ, PREVIOUS_GRAD);
        s.check(SPEC);
        this.terms = s;
    }

    @Override
    protected void update(float[] weights, float[] grads, List<ParamSlice> slices, long t) {
        double beta1 = terms.beta1();
        double beta2 = terms.beta2();
        float[] m = vector(0);
        float[] v = vector(1);
        float[] prev = vector(2);
        double bc1 = 1.0 - Math.pow(beta1, t);
        double bc2 = 1.0 - Math.pow(beta2, t);
        for (ParamSlice s : slices) {
            double lr = s.lr();
            double step = lr * Math.sqrt(bc2) / bc1;
            double decay = 1.0 - lr * s.weightDecay();
            for (int i = s.offset(); i < s.end(); i++) {
                double g = grads[i];
                double mi = beta1 * m[i] + (1.0 - beta1) * g;
                double vi = beta2 * v[i] + (1.0 - beta2) * g * g;
                double xi = 1.0 / (1.0 + Math.exp(-Math.abs(prev[i] - g)));
                m[i] = (float) mi;
                v[i] = (float) vi;
                prev[i] = grads[i];
                weights[i] = (float) (weights[i] * decay - step * xi * mi / (Math.sqrt(vi) + terms.eps()));
            }
        }
    }

    @Override
    public String name() {
        return SPEC.id();
    }
}
