package dev.pacer.optim;

import dev.pacer.config.Check;
import java.util.List;
import java.util.Map;

/**
 * Schedule-Free AdamW, from A. Defazio, X. Yang, H. Mehta, K. Mishchenko, A. Khaled and A. Cutkosky, "The
 * Road Less Scheduled", NeurIPS 2024 (arXiv 2405.15682, Algorithm 1), in the form of the authors' reference
 * code ({@code facebookresearch/schedule_free} 1.3+, {@code AdamWScheduleFreeReference}: weight decay at
 * {@code y}, scaled by the scheduled learning rate).
 *
 * <p>Three sequences: gradients are taken at {@code y}, the base AdamW-style step moves {@code z}, and
 * {@code x} is a weighted average of the {@code z} iterates, the point to evaluate and to checkpoint. Step
 * {@code t}, per tensor with the slice's {@code lr} (warmup included, from Pacer's schedule) and weight decay
 * {@code wd}; {@code lr_max} and the weight sum {@code W} are per tensor (per parameter group in the code):
 *
 * <pre>
 *   lr_max = max(lr_max, lr);   w = t^r * lr_max^weight_lr_power;   W += w;   c = w / W   (0 if W = 0)
 *   v = b2 * v + (1 - b2) * g^2
 *   z = z - lr * (g / (sqrt(v / bc2) + eps) + wd * y)
 *   x = (1 - c) * x + c * z
 *   y = (1 - b1) * z + b1 * x
 * </pre>
 *
 * with {@code x = y = z =} the weights before the first step. No decay schedule is needed: use Pacer's
 * {@code constant} schedule (linear warmup, then constant), as the authors recommend.
 *
 * <p>Checkpoints and evaluation are at {@code x}: {@link #evaluationWeights} returns {@code x} and
 * {@link #trainingWeights} rebuilds {@code y} from a checkpointed {@code x} and the restored {@code z} with
 * the same float32 expression as the step, so a resumed run continues bit-identically. State (besides the
 * checkpointed weights {@code x}): {@code z}, {@code exp_avg_sq}, and per tensor {@code lr_max} and
 * {@code weight_sum} as vectors constant over each tensor. Memory: {@code x}, {@code z} and {@code v} besides
 * the training weights {@code y} (the official code derives {@code x} from {@code y} and {@code z} instead,
 * which would make the checkpointed {@code x} inexact).
 *
 * <p>Defaults ({@code pacer.optimizer.schedule-free-adamw}): betas (0.9, 0.999), eps 1e-8, weight decay 0,
 * r 0, weight-lr-power 2 (official code; its default learning rate is 0.0025).
 */
public final class ScheduleFreeAdamW extends FlatStateOptimizer {

    public static final String Z = "z";
    public static final String EXP_AVG_SQ = "exp_avg_sq";
    public static final String LR_MAX = "lr_max";
    public static final String WEIGHT_SUM = "weight_sum";

    /** The registry entry of {@code pacer.optimizer.name = schedule-free-adamw} ({@link Optimizers#REGISTERED}). */
    public static final OptimizerSpec SPEC =
            OptimizerSpec.ownBlock("schedule-free-adamw", Settings.class, ScheduleFreeAdamW::new);

    /**
     * {@code pacer.optimizer.schedule-free-adamw}: betas in [0, 1), eps &gt; 0, weight decay, {@code r}
     * and {@code weightLrPower} &gt;= 0.
     */
    public record Settings(double beta1, double beta2, double eps, double weightDecay, double r, double weightLrPower)
            implements OptimizerSpec.Hyperparameters {
        public Settings {
            SPEC.checkAdamTerms(beta1, beta2, eps, weightDecay);
            Check.nonNegative(SPEC.key("r"), r);
            Check.nonNegative(SPEC.key("weight-lr-power"), weightLrPower);
        }
    }

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double r;
    private final double weightLrPower;
    private final SliceScalars lrMax;
    private final SliceScalars weightSum;
    /** The averaged point; null until the first step or until {@link #trainingWeights} after a restore. */
    private float[] x;

    /** With the given hyperparameters (weight decay comes with each step's slices). */
    public ScheduleFreeAdamW(int size, double beta1, double beta2, double eps, double r, double weightLrPower) {
        this(size, new Settings(beta1, beta2, eps, 0, r, weightLrPower));
    }

    public ScheduleFreeAdamW(int size, Settings s) {
        super(size, "Schedule-Free AdamW", Z, EXP_AVG_SQ);
        this.beta1 = s.beta1();
        this.beta2 = s.beta2();
        this.eps = s.eps();
        this.r = s.r();
        this.weightLrPower = s.weightLrPower();
        this.lrMax = new SliceScalars(LR_MAX, size, 0f);
        this.weightSum = new SliceScalars(WEIGHT_SUM, size, 0f);
    }

    @Override
    protected void checkBeforeUpdate(List<ParamSlice> slices, long t) {
        if (t > 1 && x == null) {
            throw new IllegalStateException("Schedule-Free AdamW was restored but not given its averaged weights:"
                    + " after restore() (resume or rollback) call trainingWeights(the evaluation weights saved with"
                    + " the state) and train at the weights it returns");
        }
        for (ParamSlice s : slices) {
            lrMax.get(s); // restored per-tensor scalars must be one value over the tensor
            weightSum.get(s);
        }
    }

    @Override
    protected void update(float[] weights, float[] grads, List<ParamSlice> slices, long t) {
        float[] z = vector(0);
        float[] v = vector(1);
        if (t == 1) {
            x = weights.clone();
            System.arraycopy(weights, 0, z, 0, size);
        }
        double bc2 = 1.0 - Math.pow(beta2, t);
        for (ParamSlice s : slices) {
            double lr = s.lr();
            float newMax = (float) Math.max(lrMax.get(s), lr);
            double w = Math.pow(t, r) * Math.pow(newMax, weightLrPower);
            float newSum = (float) (weightSum.get(s) + w);
            lrMax.set(s, newMax);
            weightSum.set(s, newSum);
            double c = newSum > 0 ? w / newSum : 0.0;
            double wd = s.weightDecay();
            for (int i = s.offset(); i < s.end(); i++) {
                double g = grads[i];
                double vi = beta2 * v[i] + (1.0 - beta2) * g * g;
                v[i] = (float) vi;
                double step = g / (Math.sqrt(vi / bc2) + eps) + wd * weights[i];
                float zi = (float) (z[i] - lr * step);
                z[i] = zi;
                float xi = (float) ((1.0 - c) * x[i] + c * zi);
                x[i] = xi;
                weights[i] = interpolate(zi, xi);
            }
        }
    }

    /** y from z and x; the one expression used by the step and by {@link #trainingWeights}. */
    private float interpolate(float z, float x) {
        return (float) ((1.0 - beta1) * z + beta1 * x);
    }

    /** The averaged point x (a copy), or the given weights before the first step. */
    @Override
    public float[] evaluationWeights(float[] trainingWeights) {
        return x == null ? trainingWeights : x.clone();
    }

    /**
     * Takes checkpointed evaluation weights x (after {@link #restore}) and returns the training weights y,
     * rebuilt from x and the restored z. Before any step, x = y: the weights are returned unchanged.
     */
    @Override
    public float[] trainingWeights(float[] evaluationWeights) {
        if (evaluationWeights.length != size) {
            throw new IllegalArgumentException(
                    "weights length " + evaluationWeights.length + " != optimizer size " + size);
        }
        if (stepCount() == 0) {
            x = null;
            return evaluationWeights;
        }
        x = evaluationWeights.clone();
        float[] z = vector(0);
        float[] y = new float[size];
        for (int i = 0; i < size; i++) {
            y[i] = interpolate(z[i], x[i]);
        }
        return y;
    }

    @Override
    protected List<String> scalarStateNames() {
        return List.of(LR_MAX, WEIGHT_SUM);
    }

    @Override
    protected void writeScalarState(Map<String, float[]> out) {
        out.put(LR_MAX, lrMax.toVector());
        out.put(WEIGHT_SUM, weightSum.toVector());
    }

    @Override
    protected void readScalarState(Map<String, float[]> state) {
        lrMax.restore(state.get(LR_MAX));
        weightSum.restore(state.get(WEIGHT_SUM));
    }

    @Override
    protected void afterRestore() {
        x = null;
    }

    @Override
    public String name() {
        return SPEC.id();
    }

    @Override
    public boolean separateEvaluationWeights() {
        return true;
    }
}
