package dev.pacer.optim;

import java.util.List;

/**
 * LAMB (layer-wise adaptive moments for batch training), from Y. You, J. Li, S. Reddi, J. Hseu, S. Kumar,
 * S. Bhojanapalli, X. Song, J. Demmel, K. Keutzer and C.-J. Hsieh, "Large Batch Optimization for Deep
 * Learning: Training BERT in 76 minutes", ICLR 2020 (Algorithm 2, with the scaling function phi the identity).
 *
 * <p>Per tensor (one slice = one layer), with the slice's {@code lr} and weight decay {@code wd}:
 *
 * <pre>
 *   m   = b1 * m + (1 - b1) * g                   v = b2 * v + (1 - b2) * g^2
 *   r   = (m / bc1) / (sqrt(v / bc2) + eps)
 *   u   = r + wd * p
 *   tau = ||p|| / ||u||    (1 when either norm is 0)
 *   p   = p - lr * tau * u
 * </pre>
 *
 * The trust ratio applies to every tensor, as in Algorithm 2; many BERT set-ups also exempt biases and norm
 * gains from it (here they are only exempt from weight decay, by {@code pacer.optimizer.no-decay}).
 *
 * <p>Defaults ({@code pacer.optimizer.lamb}): betas (0.9, 0.999), eps 1e-6, weight decay 0.01 (the paper's
 * settings). State: {@code exp_avg}, {@code exp_avg_sq}. The norms use the moments as stored (float32).
 */
public final class Lamb extends FlatStateOptimizer {

    public static final String EXP_AVG = "exp_avg";
    public static final String EXP_AVG_SQ = "exp_avg_sq";

    /** The registry entry of {@code pacer.optimizer.name = lamb} ({@link Optimizers#REGISTERED}). */
    public static final OptimizerSpec SPEC = OptimizerSpec.ownBlock("lamb", AdamTerms.class, Lamb::new);

    private final AdamTerms terms;
    private double lastTrustRatio = Double.NaN;

    /** With the given hyperparameters (weight decay comes with each step's slices). */
    public Lamb(int size, AdamTerms s) {
        super(size, "LAMB", EXP_AVG, EXP_AVG_SQ);
        s.check(SPEC);
        this.terms = s;
    }

    @Override
    protected void update(float[] weights, float[] grads, List<ParamSlice> slices, long t) {
        double beta1 = terms.beta1();
        double beta2 = terms.beta2();
        float[] m = vector(0);
        float[] v = vector(1);
        double bc1 = 1.0 - Math.pow(beta1, t);
        double bc2 = 1.0 - Math.pow(beta2, t);
        for (ParamSlice s : slices) {
            double wd = s.weightDecay();
            double pSq = 0;
            double uSq = 0;
            for (int i = s.offset(); i < s.end(); i++) {
                double g = grads[i];
                m[i] = (float) (beta1 * m[i] + (1.0 - beta1) * g);
                v[i] = (float) (beta2 * v[i] + (1.0 - beta2) * g * g);
                double p = weights[i];
                double u = adamDirection(m[i], v[i], bc1, bc2) + wd * p;
                pSq += p * p;
                uSq += u * u;
            }
            double pNorm = Math.sqrt(pSq);
            double uNorm = Math.sqrt(uSq);
            double tau = pNorm > 0 && uNorm > 0 ? pNorm / uNorm : 1.0;
            lastTrustRatio = tau;
            double step = s.lr() * tau;
            for (int i = s.offset(); i < s.end(); i++) {
                double p = weights[i];
                double u = adamDirection(m[i], v[i], bc1, bc2) + wd * p;
                weights[i] = (float) (p - step * u);
            }
        }
    }

    private double adamDirection(double m, double v, double bc1, double bc2) {
        return (m / bc1) / (Math.sqrt(v / bc2) + terms.eps());
    }

    /** The trust ratio of the last slice of the last step (for tests and diagnostics); NaN before any step. */
    double lastTrustRatio() {
        return lastTrustRatio;
    }

    @Override
    public String name() {
        return SPEC.id();
    }
}
