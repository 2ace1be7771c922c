package dev.pacer.optim;

import dev.pacer.config.Check;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamP, from B. Heo, S. Chun, S. J. Oh, D. Han, S. Yun, G. Kim, Y. Uh and J.-W. Ha, "AdamP: Slowing Down
 * the Slowdown for Momentum Optimizers on Scale-invariant Weights", ICLR 2021 (Algorithm 2), in the form of
 * the authors' official code ({@code clovaai/AdamP}).
 *
 * <p>Per tensor, with the slice's {@code lr} and decoupled weight decay {@code wd}, {@code bci = 1 - bi^t}:
 *
 * <pre>
 *   m = b1 * m + (1 - b1) * g                     v = b2 * v + (1 - b2) * g^2
 *   q = m / (sqrt(v) / sqrt(bc2) + eps)           (nesterov: (b1 * m + (1 - b1) * g) instead of m)
 *   for tensors of rank &gt;= 2, the scale-invariance test, first per row then on the whole tensor:
 *     if max over rows |cos(g_row, p_row)| &lt; delta / sqrt(row length):
 *         q_row -= p̂_row * &lt;p̂_row, q_row&gt;  for every row, with p̂ = p / (||p|| + eps);  ratio = wd-ratio
 *     else if |cos(g, p)| &lt; delta / sqrt(tensor size):  the same projection on the whole tensor
 *     else: no projection, ratio = 1
 *   p = p * (1 - lr * wd * ratio) - lr / bc1 * q
 * </pre>
 *
 * with {@code cos(a, b) = <a, b> / (max(||a||, eps) max(||b||, eps))}. Rows are the first dimension of the
 * tensor as stored (GPT-2's Conv1D layout (in, out) for linear weights; vocabulary rows for embeddings),
 * which is what the official code's channel view does on such tensors. Rank-1 tensors (biases, norm gains)
 * are never projected. The test and the projection use the weights before this step's decay, as the official
 * code does.
 *
 * <p>Needs each tensor's shape ({@link ParamSlice#of}). Defaults ({@code pacer.optimizer.adamp}): betas
 * (0.9, 0.999), eps 1e-8, weight decay 0, delta 0.1, wd-ratio 0.1, nesterov off (official code). State:
 * {@code exp_avg}, {@code exp_avg_sq}.
 */
public final class AdamP extends FlatStateOptimizer {

    public static final String EXP_AVG = "exp_avg";
    public static final String EXP_AVG_SQ = "exp_avg_sq";

    /** Which projection a tensor took in the last step. */
    enum Projection {
        NONE,
        CHANNEL,
        LAYER
    }

    /** The registry entry of {@code pacer.optimizer.name = adamp} ({@link Optimizers#REGISTERED}). */
    public static final OptimizerSpec SPEC = OptimizerSpec.ownBlock("adamp", Settings.class, AdamP::new);

    /**
     * {@code pacer.optimizer.adamp}: betas in [0, 1), eps &gt; 0, weight decay &gt;= 0, the cosine
     * threshold {@code delta} &gt; 0 and {@code wdRatio} in [0, 1].
     */
    public record Settings(
            double beta1, double beta2, double eps, double weightDecay, double delta, double wdRatio, boolean nesterov)
            implements OptimizerSpec.Hyperparameters {
        public Settings {
            SPEC.checkAdamTerms(beta1, beta2, eps, weightDecay);
            Check.positive(SPEC.key("delta"), delta);
            Check.inRange(SPEC.key("wd-ratio"), wdRatio, 0, 1, true);
        }
    }

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double delta;
    private final double wdRatio;
    private final boolean nesterov;
    private final Map<String, Projection> lastProjection = new HashMap<>();
    private double[] scratch = new double[0];

    /** With the given hyperparameters (weight decay comes with each step's slices). */
    public AdamP(int size, double beta1, double beta2, double eps, double delta, double wdRatio, boolean nesterov) {
        this(size, new Settings(beta1, beta2, eps, 0, delta, wdRatio, nesterov));
    }

    public AdamP(int size, Settings s) {
        super(size, "AdamP", EXP_AVG, EXP_AVG_SQ);
        this.beta1 = s.beta1();
        this.beta2 = s.beta2();
        this.eps = s.eps();
        this.delta = s.delta();
        this.wdRatio = s.wdRatio();
        this.nesterov = s.nesterov();
    }

    @Override
    protected void checkBeforeUpdate(List<ParamSlice> slices, long t) {
        for (ParamSlice s : slices) {
            if (s.length() > 0) {
                requireShape(s);
            }
        }
    }

    @Override
    protected void update(float[] weights, float[] grads, List<ParamSlice> slices, long t) {
        float[] m = vector(0);
        float[] v = vector(1);
        double bc1 = 1.0 - Math.pow(beta1, t);
        double sqrtBc2 = Math.sqrt(1.0 - Math.pow(beta2, t));
        lastProjection.clear();
        for (ParamSlice s : slices) {
            int off = s.offset();
            int n = s.length();
            if (scratch.length < n) {
                scratch = new double[n];
            }
            double[] q = scratch;
            for (int i = 0; i < n; i++) {
                double g = grads[off + i];
                double mi = beta1 * m[off + i] + (1.0 - beta1) * g;
                double vi = beta2 * v[off + i] + (1.0 - beta2) * g * g;
                m[off + i] = (float) mi;
                v[off + i] = (float) vi;
                double num = nesterov ? beta1 * mi + (1.0 - beta1) * g : mi;
                q[i] = num / (Math.sqrt(vi) / sqrtBc2 + eps);
            }
            Projection projection = Projection.NONE;
            if (n > 0 && s.rank() >= 2 && s.rows() > 0) {
                int rows = s.rows();
                int cols = n / rows;
                if (maxAbsCosine(grads, weights, off, rows, cols) < delta / Math.sqrt(cols)) {
                    for (int r = 0; r < rows; r++) {
                        project(q, weights, off, r * cols, cols);
                    }
                    projection = Projection.CHANNEL;
                } else if (maxAbsCosine(grads, weights, off, 1, n) < delta / Math.sqrt(n)) {
                    project(q, weights, off, 0, n);
                    projection = Projection.LAYER;
                }
            }
            lastProjection.put(s.name(), projection);
            double lr = s.lr();
            double decay = 1.0 - lr * s.weightDecay() * (projection == Projection.NONE ? 1.0 : wdRatio);
            double step = lr / bc1;
            for (int i = 0; i < n; i++) {
                weights[off + i] = (float) (weights[off + i] * decay - step * q[i]);
            }
        }
    }

    /** max over {@code rows} consecutive blocks of {@code cols} elements of |cos(g_block, p_block)|. */
    private double maxAbsCosine(float[] g, float[] p, int off, int rows, int cols) {
        double max = 0;
        for (int r = 0; r < rows; r++) {
            double dot = 0;
            double gg = 0;
            double pp = 0;
            for (int i = off + r * cols, end = i + cols; i < end; i++) {
                double gi = g[i];
                double pi = p[i];
                dot += gi * pi;
                gg += gi * gi;
                pp += pi * pi;
            }
            double cos = Math.abs(dot) / (Math.max(Math.sqrt(gg), eps) * Math.max(Math.sqrt(pp), eps));
            max = Math.max(max, cos);
        }
        return max;
    }

    /** q[from, from + len) -= p̂ &lt;p̂, q&gt; with p̂ = p / (||p|| + eps), p taken at {@code off + from}. */
    private void project(double[] q, float[] p, int off, int from, int len) {
        double pp = 0;
        for (int i = 0; i < len; i++) {
            double pi = p[off + from + i];
            pp += pi * pi;
        }
        double norm = Math.sqrt(pp) + eps;
        double dot = 0;
        for (int i = 0; i < len; i++) {
            dot += p[off + from + i] / norm * q[from + i];
        }
        for (int i = 0; i < len; i++) {
            q[from + i] -= p[off + from + i] / norm * dot;
        }
    }

    /** The projection each tensor (by slice name) took in the last step; for tests and diagnostics. */
    Projection lastProjection(String sliceName) {
        return lastProjection.get(sliceName);
    }

    @Override
    public String name() {
        return SPEC.id();
    }
}
