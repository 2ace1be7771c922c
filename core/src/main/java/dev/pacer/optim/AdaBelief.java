package dev.pacer.optim;

import java.util.List;

/**
 * AdaBelief, from J. Zhuang, T. Tang, Y. Ding, S. Tatikonda, N. Dvornek, X. Papademetris and J. Duncan,
 * "AdaBelief Optimizer: Adapting Stepsizes by the Belief in Observed Gradients", NeurIPS 2020 (Algorithm 2),
 * in the form of the authors' {@code adabelief-pytorch} 0.2 (decoupled weight decay, RAdam-style
 * rectification with a plain momentum step while the rectifier is undefined).
 *
 * <p>Per element, with the slice's {@code lr} and decoupled weight decay {@code wd}; {@code eps} is added
 * into the stored variance as well as to its root, as the official code does:
 *
 * <pre>
 *   m = b1 * m + (1 - b1) * g
 *   s = b2 * s + (1 - b2) * (g - m)^2 + eps
 *   p = p * (1 - lr * wd)
 *   without rectification:  p -= lr / bc1 * m / (sqrt(s / bc2) + eps)
 *   with rectification:     rho_inf = 2 / (1 - b2) - 1,  rho_t = rho_inf - 2 t b2^t / bc2
 *     rho_t &gt;= 5:  r = sqrt(bc2 (rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t)) / bc1
 *                   p -= lr * r * m / (sqrt(s) + eps)
 *     rho_t &lt; 5:   p -= lr * m / bc1
 * </pre>
 *
 * with {@code bci = 1 - bi^t}. Defaults ({@code pacer.optimizer.adabelief}): betas (0.9, 0.999),
 * eps 1e-16, weight decay 0, rectification on (official code 0.2). With beta2 = 0.999 the first five steps
 * are momentum steps. State: {@code exp_avg}, {@code exp_avg_var}.
 */
public final class AdaBelief extends ElementwiseOptimizer {

    public static final String EXP_AVG = "exp_avg";
    public static final String EXP_AVG_VAR = "exp_avg_var";

    /** The registry entry of {@code pacer.optimizer.name = adabelief} ({@link Optimizers#REGISTERED}). */
    public static final OptimizerSpec SPEC = OptimizerSpec.ownBlock("adabelief", Settings.class, AdaBelief::new);

    /** {@code pacer.optimizer.adabelief}: betas in [0, 1), eps &gt; 0, decoupled weight decay &gt;= 0. */
    public record Settings(double beta1, double beta2, double eps, double weightDecay, boolean rectify)
            implements OptimizerSpec.Hyperparameters {
        public Settings {
            SPEC.checkAdamTerms(beta1, beta2, eps, weightDecay);
        }
    }

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final boolean rectify;

    /** With the given hyperparameters (weight decay comes with each step's slices). */
    public AdaBelief(int size, double beta1, double beta2, double eps, boolean rectify) {
        this(size, new Settings(beta1, beta2, eps, 0, rectify));
    }

    public AdaBelief(int size, Settings s) {
        super(size, "AdaBelief", EXP_AVG, EXP_AVG_VAR);
        this.beta1 = s.beta1();
        this.beta2 = s.beta2();
        this.eps = s.eps();
        this.rectify = s.rectify();
    }

    @Override
    protected void update(float[] weights, float[] grads, List<ParamSlice> slices, long t) {
        float[] m = vector(0);
        float[] s = vector(1);
        double bc1 = 1.0 - Math.pow(beta1, t);
        double bc2 = 1.0 - Math.pow(beta2, t);
        double sqrtBc2 = Math.sqrt(bc2);
        // RAdam's variance rectification term (Liu et al. 2020, eq. 5-6), as in the official code
        double rhoInf = 2.0 / (1.0 - beta2) - 1.0;
        double rhoT = rhoInf - 2.0 * t * Math.pow(beta2, t) / bc2;
        boolean adaptive = !rectify || rhoT >= 5;
        double rect = rectify && adaptive
                ? Math.sqrt(bc2 * (rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) / bc1
                : 0;
        for (ParamSlice sl : slices) {
            double lr = sl.lr();
            double decay = 1.0 - lr * sl.weightDecay();
            for (int i = sl.offset(); i < sl.end(); i++) {
                double g = grads[i];
                double mi = beta1 * m[i] + (1.0 - beta1) * g;
                double r = g - mi;
                double si = beta2 * s[i] + (1.0 - beta2) * r * r + eps;
                m[i] = (float) mi;
                s[i] = (float) si;
                double p = weights[i] * decay;
                if (!rectify) {
                    p -= lr / bc1 * mi / (Math.sqrt(si) / sqrtBc2 + eps);
                } else if (adaptive) {
                    p -= lr * rect * mi / (Math.sqrt(si) + eps);
                } else {
                    p -= lr * mi / bc1;
                }
                weights[i] = (float) p;
            }
        }
    }

    @Override
    public String name() {
        return SPEC.id();
    }
}
