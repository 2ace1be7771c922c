package dev.pacer.optim;

import dev.pacer.config.Check;
import dev.pacer.config.ConfigError;
import java.util.List;

/**
 * Stochastic gradient descent with (heavy-ball or Nesterov) momentum, in the form of {@code torch.optim.SGD}
 * (PyTorch 1.13, non-foreach, non-maximize), which follows I. Sutskever, J. Martens, G. Dahl and G. Hinton,
 * "On the importance of initialization and momentum in deep learning", ICML 2013 (eq. 1-2 for momentum,
 * eq. 3-4 for Nesterov), with the learning rate applied outside the buffer.
 *
 * <p>Per element, with the slice's {@code lr} and weight decay {@code wd} (an L2 term added to the gradient,
 * as in PyTorch, so it also enters the momentum buffer):
 *
 * <pre>
 *   d   = g + wd * p
 *   buf = d                                   (first step)
 *   buf = mu * buf + (1 - dampening) * d      (later steps)
 *   d   = nesterov ? d + mu * buf : buf
 *   p   = p - lr * d
 * </pre>
 *
 * <p>Defaults (settings {@code pacer.optimizer.sgd}): momentum 0.9 (Sutskever et al.'s usual value;
 * PyTorch has no default momentum), dampening 0, nesterov off and weight decay 0 (PyTorch's defaults). State:
 * {@code momentum_buffer}.
 */
public final class SgdMomentum extends ElementwiseOptimizer {

    public static final String MOMENTUM_BUFFER = "momentum_buffer";

    /** The registry entry of {@code pacer.optimizer.name = sgd} ({@link Optimizers#REGISTERED}). */
    public static final OptimizerSpec SPEC = OptimizerSpec.ownBlock("sgd", Settings.class, SgdMomentum::new);

    /**
     * {@code pacer.optimizer.sgd}: torch.optim.SGD's momentum form; its weight decay is PyTorch's L2
     * term. Nesterov needs momentum &gt; 0 and dampening 0, as in PyTorch.
     */
    public record Settings(double momentum, double dampening, boolean nesterov, double weightDecay)
            implements OptimizerSpec.Hyperparameters {
        public Settings {
            Check.inRange(SPEC.key("momentum"), momentum, 0, 1, false);
            Check.inRange(SPEC.key("dampening"), dampening, 0, 1, true);
            Check.nonNegative(SPEC.key("weight-decay"), weightDecay);
            if (nesterov && (momentum <= 0 || dampening != 0)) {
                throw new ConfigError(SPEC.key("nesterov") + " = true needs " + SPEC.key("momentum") + " > 0 and "
                        + SPEC.key("dampening") + " = 0 (got " + momentum + " and " + dampening + ")");
            }
        }
    }

    private final double momentum;
    private final double dampening;
    private final boolean nesterov;

    /** With the given hyperparameters (weight decay comes with each step's slices). */
    public SgdMomentum(int size, double momentum, double dampening, boolean nesterov) {
        this(size, new Settings(momentum, dampening, nesterov, 0));
    }

    public SgdMomentum(int size, Settings s) {
        super(size, "SGD", MOMENTUM_BUFFER);
        this.momentum = s.momentum();
        this.dampening = s.dampening();
        this.nesterov = s.nesterov();
    }

    @Override
    protected void update(float[] weights, float[] grads, List<ParamSlice> slices, long t) {
        float[] buf = vector(0);
        double mu = momentum;
        double keep = 1.0 - dampening;
        for (ParamSlice s : slices) {
            double lr = s.lr();
            double wd = s.weightDecay();
            for (int i = s.offset(); i < s.end(); i++) {
                double p = weights[i];
                double d = grads[i] + wd * p;
                if (mu != 0) {
                    double b = t == 1 ? d : mu * buf[i] + keep * d;
                    buf[i] = (float) b;
                    d = nesterov ? d + mu * b : b;
                }
                weights[i] = (float) (p - lr * d);
            }
        }
    }

    @Override
    public String name() {
        return SPEC.id();
    }
}
