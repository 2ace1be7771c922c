package dev.pacer.optim;

import java.util.List;

/**
 * AdamW: Adam with decoupled weight decay, from I. Loshchilov and F. Hutter, "Decoupled Weight Decay
 * Regularization", ICLR 2019 (Algorithm 2), in the form implemented by {@code torch.optim.AdamW}
 * (non-amsgrad, non-fused, non-maximize).
 *
 * <p>For every element of every slice, with the slice's learning rate {@code lr} and weight decay
 * {@code wd}, one {@link #step} performs (the step counter {@code t} is shared by all slices and is
 * incremented once per call, before the update):
 *
 * <pre>
 *   t     = t + 1
 *   p     = p * (1 - lr * wd)
 *   m     = b1 * m + (1 - b1) * g
 *   v     = b2 * v + (1 - b2) * g * g
 *   m_hat = m / (1 - b1^t)
 *   v_hat = v / (1 - b2^t)
 *   p     = p - lr * m_hat / (sqrt(v_hat) + eps)
 * </pre>
 *
 * <p>Weights and state ({@code exp_avg} = m, {@code exp_avg_sq} = v) are float32 arrays; each element's
 * update is computed in double precision and rounded to float once when stored. Elements outside every
 * slice keep their weights and state unchanged.
 */
public final class AdamW extends ElementwiseOptimizer {

    /** State name of the first-moment vector m. */
    public static final String EXP_AVG = "exp_avg";
    /** State name of the second-moment vector v. */
    public static final String EXP_AVG_SQ = "exp_avg_sq";

    /** The registry entry of {@code pacer.optimizer.name = adamw} ({@link Optimizers#REGISTERED}). */
    public static final OptimizerSpec SPEC = OptimizerSpec.topLevel("adamw", AdamTerms.class, AdamW::new);

    private final double beta1;
    private final double beta2;
    private final double eps;

    /** With the given hyperparameters (weight decay comes with each step's slices). */
    public AdamW(int size, double beta1, double beta2, double eps) {
        this(size, new AdamTerms(beta1, beta2, eps, 0));
    }

    public AdamW(int size, AdamTerms s) {
        super(size, "AdamW", EXP_AVG, EXP_AVG_SQ);
        s.check(SPEC);
        this.beta1 = s.beta1();
        this.beta2 = s.beta2();
        this.eps = s.eps();
    }

    public double beta1() {
        return beta1;
    }

    public double beta2() {
        return beta2;
    }

    public double eps() {
        return eps;
    }

    @Override
    protected void update(float[] weights, float[] grads, List<ParamSlice> slices, long t) {
        double b1 = beta1;
        double b2 = beta2;
        double oneMinusB1 = 1.0 - b1;
        double oneMinusB2 = 1.0 - b2;
        double biasCorrection1 = 1.0 - Math.pow(b1, t);
        double biasCorrection2 = 1.0 - Math.pow(b2, t);
        float[] m = vector(0);
        float[] v = vector(1);
        for (ParamSlice s : slices) {
            double lr = s.lr();
            double decay = 1.0 - lr * s.weightDecay();
            int end = s.end();
            for (int i = s.offset(); i < end; i++) {
                double g = grads[i];
                double p = weights[i] * decay;
                double mi = b1 * m[i] + oneMinusB1 * g;
                double vi = b2 * v[i] + oneMinusB2 * g * g;
                m[i] = (float) mi;
                v[i] = (float) vi;
                double mHat = mi / biasCorrection1;
                double vHat = vi / biasCorrection2;
                weights[i] = (float) (p - lr * mHat / (Math.sqrt(vHat) + eps));
            }
        }
    }

    @Override
    public String name() {
        return SPEC.id();
    }
}
