package dev.pacer.optim;

import dev.pacer.config.Check;
import java.util.List;

/**
 * Lion (EvoLved Sign Momentum), from X. Chen, C. Liang, D. Huang, E. Real, K. Wang, Y. Liu, H. Pham,
 * X. Dong, T. Luong, C.-J. Hsieh, Y. Lu and Q. V. Le, "Symbolic Discovery of Optimization Algorithms",
 * NeurIPS 2023 (Algorithm 2 / Program 1).
 *
 * <p>Per element, with the slice's {@code lr} and decoupled weight decay {@code wd}:
 *
 * <pre>
 *   c = b1 * m + (1 - b1) * g
 *   p = p * (1 - lr * wd) - lr * sign(c)        (sign(0) = 0)
 *   m = b2 * m + (1 - b2) * g
 * </pre>
 *
 * so every element moves by exactly {@code lr} (plus decay) whatever the gradient's scale.
 *
 * <p>Defaults ({@code pacer.optimizer.lion}): betas (0.9, 0.99), weight decay 0, from the paper and its
 * official code ({@code google/automl/lion}). The authors advise a learning rate 3-10x smaller than AdamW's
 * and a weight decay 3-10x larger, to keep the effective decay {@code lr * wd} similar. State: {@code exp_avg}.
 */
public final class Lion extends ElementwiseOptimizer {

    public static final String EXP_AVG = "exp_avg";

    /** The registry entry of {@code pacer.optimizer.name = lion} ({@link Optimizers#REGISTERED}). */
    public static final OptimizerSpec SPEC = OptimizerSpec.ownBlock("lion", Settings.class, Lion::new);

    /** {@code pacer.optimizer.lion}: betas in [0, 1), decoupled weight decay &gt;= 0. */
    public record Settings(double beta1, double beta2, double weightDecay) implements OptimizerSpec.Hyperparameters {
        public Settings {
            Check.inRange(SPEC.key("beta1"), beta1, 0, 1, false);
            Check.inRange(SPEC.key("beta2"), beta2, 0, 1, false);
            Check.nonNegative(SPEC.key("weight-decay"), weightDecay);
        }
    }

    private final double beta1;
    private final double beta2;

    /** With the given hyperparameters (weight decay comes with each step's slices). */
    public Lion(int size, double beta1, double beta2) {
        this(size, new Settings(beta1, beta2, 0));
    }

    public Lion(int size, Settings s) {
        super(size, "Lion", EXP_AVG);
        this.beta1 = s.beta1();
        this.beta2 = s.beta2();
    }

    @Override
    protected void update(float[] weights, float[] grads, List<ParamSlice> slices, long t) {
        float[] m = vector(0);
        for (ParamSlice s : slices) {
            double lr = s.lr();
            double decay = 1.0 - lr * s.weightDecay();
            for (int i = s.offset(); i < s.end(); i++) {
                double g = grads[i];
                double c = beta1 * m[i] + (1.0 - beta1) * g;
                weights[i] = (float) (weights[i] * decay - lr * Math.signum(c));
                m[i] = (float) (beta2 * m[i] + (1.0 - beta2) * g);
            }
        }
    }

    @Override
    public String name() {
        return SPEC.id();
    }
}
