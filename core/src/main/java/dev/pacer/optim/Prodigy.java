package dev.pacer.optim;

import com.typesafe.config.Config;
import dev.pacer.config.Check;
import dev.pacer.config.ConfigError;
import java.util.List;
import java.util.Map;

/**
 * Prodigy, from K. Mishchenko and A. Defazio, "Prodigy: An Expeditiously Adaptive Parameter-Free Learner",
 * ICML 2024 (arXiv 2306.06101, the algorithm "Prodigy (Adam version)"), in the form of the authors' official
 * code ({@code prodigyopt} 1.0): it estimates the distance {@code d} to the solution and scales Adam's step by
 * it, so the learning rate is a multiplier of the estimate (recommended 1.0).
 *
 * <p>Step {@code t}; {@code d}, {@code d_max} start at {@code d0}, the numerator {@code r} at 0, {@code x0} is
 * the weights at the first step, {@code bc = sqrt(1 - b2^t) / (1 - b1^t)} with bias correction, else 1.
 * For every slice with {@code lr > 0}, with {@code dlr = d * lr * bc} (the old {@code d}):
 *
 * <pre>
 *   r   += (d / d0) * dlr * &lt;g, x0 - p&gt;          (after r = b3 * r, once per step)
 *   m    = b1 * m + (1 - b1) * d * g
 *   v    = b2 * v + (1 - b2) * d^2 * g^2
 *   s    = b3 * s + (d / d0) * (safeguard-warmup ? d : dlr) * g
 * then, once:
 *   d_hat = d_coef * r / sum over slices ||s||_1
 *   d     = max(d, d_hat) if d == d0;   d_max = max(d_max, d_hat);   d = min(d_max, d * growth_rate)
 * and for every slice with lr &gt; 0:
 *   p = p * (1 - wd * dlr) - dlr * m / (sqrt(v) + d * eps)        (dlr with the old d, eps with the new d)
 * </pre>
 *
 * {@code b3} defaults to {@code sqrt(b2)}. The paper writes {@code (1 - b3)} factors into {@code r} and
 * {@code s} and {@code d_k} in the eps term; the code's form above leaves the ratio {@code r / ||s||_1}
 * unchanged and differs only in the eps term, which Pacer takes from the code.
 *
 * <p>Per-tensor learning rates: the official code refuses different non-zero rates per group; Pacer uses
 * each slice's own {@code dlr} in its contributions to {@code r}, {@code s} and its step (identical to the
 * official code when all rates are equal), and leaves slices with rate 0 entirely untouched. {@code d} is
 * global, as in the paper. If every gradient so far was zero ({@code ||s||_1 = 0}), {@code d} stays.
 *
 * <p>Defaults ({@code pacer.optimizer.prodigy}): betas (0.9, 0.999), beta3 sqrt(beta2), eps 1e-8, weight decay
 * 0 (decoupled), d0 1e-6, d-coef 1, growth-rate unbounded, bias correction off (official code), and
 * safeguard-warmup on, the authors' advice for runs with a linear warmup, which Pacer's schedules have. Use
 * {@code pacer.train.lr = 1} with a cosine schedule (the authors' recommendation); tune {@code d-coef} rather
 * than the learning rate. State: {@code exp_avg}, {@code exp_avg_sq}, {@code s}, {@code p0} per element, and
 * the run scalars {@code d}, {@code d_max}, {@code d_numerator} as constant vectors.
 */
public final class Prodigy extends ReducingOptimizer {

    public static final String EXP_AVG = "exp_avg";
    public static final String EXP_AVG_SQ = "exp_avg_sq";
    public static final String S = "s";
    public static final String P0 = "p0";
    public static final String D = "d";
    public static final String D_MAX = "d_max";
    public static final String D_NUMERATOR = "d_numerator";

    /** The registry entry of {@code pacer.optimizer.name = prodigy} ({@link Optimizers#REGISTERED}). */
    public static final OptimizerSpec SPEC =
            OptimizerSpec.withReader("prodigy", Settings.class, Settings::read, Prodigy::new);

    /**
     * {@code pacer.optimizer.prodigy}: betas in [0, 1); {@code beta3} in [0, 1), or NaN for sqrt(beta2)
     * ({@code "auto"}); eps, d0 and dCoef &gt; 0; weight decay &gt;= 0; {@code growthRate} &gt;= 1, infinite
     * for no bound ({@code "inf"}).
     */
    public record Settings(
            double beta1,
            double beta2,
            double beta3,
            double eps,
            double weightDecay,
            double d0,
            double dCoef,
            double growthRate,
            boolean biasCorrection,
            boolean safeguardWarmup)
            implements OptimizerSpec.Hyperparameters {
        public Settings {
            Check.inRange(SPEC.key("beta1"), beta1, 0, 1, false);
            Check.inRange(SPEC.key("beta2"), beta2, 0, 1, false);
            if (!Double.isNaN(beta3)) {
                Check.inRange(SPEC.key("beta3"), beta3, 0, 1, false);
            }
            Check.positive(SPEC.key("eps"), eps);
            Check.nonNegative(SPEC.key("weight-decay"), weightDecay);
            Check.positive(SPEC.key("d0"), d0);
            Check.positive(SPEC.key("d-coef"), dCoef);
            if (!(growthRate >= 1)) {
                throw new ConfigError(SPEC.key("growth-rate") + " = " + growthRate
                        + ": expected a number >= 1, or \"inf\" for no bound");
            }
        }

        static Settings read(Config c) {
            return new Settings(
                    c.getDouble("beta1"),
                    c.getDouble("beta2"),
                    OptimizerSpec.numberOrWord(c, "beta3", "auto", Double.NaN, SPEC.key("beta3")),
                    c.getDouble("eps"),
                    c.getDouble("weight-decay"),
                    c.getDouble("d0"),
                    c.getDouble("d-coef"),
                    OptimizerSpec.numberOrWord(
                            c, "growth-rate", "inf", Double.POSITIVE_INFINITY, SPEC.key("growth-rate")),
                    c.getBoolean("bias-correction"),
                    c.getBoolean("safeguard-warmup"));
        }

        /**
         * Prodigy's learning rate multiplies its own step-size estimate: its authors recommend 1. A rate far
         * from it (such as an AdamW rate left in place) makes the estimate grow slowly and the run crawl.
         */
        @Override
        public void checkLearningRate(double lr) {
            if (!(lr >= 0.1 && lr <= 10)) {
                throw new ConfigError("pacer.train.lr = " + lr + " with pacer.optimizer.name = \"prodigy\": Prodigy's"
                        + " learning rate multiplies its own step-size estimate, so use a value in [0.1, 10], normally"
                        + " 1.0 (conf/optimizers/prodigy.conf), and tune " + SPEC.key("d-coef") + " instead");
            }
        }
    }

    private final double beta1;
    private final double beta2;
    private final double beta3;
    private final double eps;
    private final double d0;
    private final double dCoef;
    private final double growthRate;
    private final boolean biasCorrection;
    private final boolean safeguardWarmup;
    private float d;
    private float dMax;
    private float dNumerator;

    /** With the given hyperparameters (weight decay comes with each step's slices). */
    public Prodigy(
            int size,
            double beta1,
            double beta2,
            double beta3,
            double eps,
            double d0,
            double dCoef,
            double growthRate,
            boolean biasCorrection,
            boolean safeguardWarmup) {
        this(size, new Settings(beta1, beta2, beta3, eps, 0, d0, dCoef, growthRate, biasCorrection, safeguardWarmup));
    }

    public Prodigy(int size, Settings s) {
        super(size, "Prodigy", EXP_AVG, EXP_AVG_SQ, S, P0);
        this.beta1 = s.beta1();
        this.beta2 = s.beta2();
        this.beta3 = Double.isNaN(s.beta3()) ? Math.sqrt(s.beta2()) : s.beta3();
        this.eps = s.eps();
        this.d0 = s.d0();
        this.dCoef = s.dCoef();
        this.growthRate = s.growthRate();
        this.biasCorrection = s.biasCorrection();
        this.safeguardWarmup = s.safeguardWarmup();
        this.d = (float) s.d0();
        this.dMax = (float) s.d0();
        this.dNumerator = 0f;
    }

    /** The old d and the bias correction of the step in progress, between its two phases. */
    private double stepD;

    private double stepBc;

    /**
     * Phase one: x0 at the first step, the moments and s of every slice, and per slice with a
     * non-zero rate its contributions to the numerator ({@code (d / d0) · dlr · <g, x0 − p>}) and
     * to the denominator ({@code ||s||_1}).
     */
    @Override
    protected double[][] partials(float[] weights, float[] grads, List<ParamSlice> slices, long t) {
        float[] m = vector(0);
        float[] v = vector(1);
        float[] s = vector(2);
        float[] p0 = vector(3);
        if (t == 1) {
            System.arraycopy(weights, 0, p0, 0, size);
        }
        stepBc = biasCorrection ? Math.sqrt(1.0 - Math.pow(beta2, t)) / (1.0 - Math.pow(beta1, t)) : 1.0;
        stepD = d;
        double ratio = stepD / d0;
        double[][] out = new double[slices.size()][];
        for (int k = 0; k < slices.size(); k++) {
            ParamSlice sl = slices.get(k);
            double lr = sl.lr();
            if (lr == 0) {
                continue;
            }
            double dlr = stepD * lr * stepBc;
            double sWeight = ratio * (safeguardWarmup ? stepD : dlr);
            double dot = 0;
            double l1 = 0;
            for (int i = sl.offset(); i < sl.end(); i++) {
                double g = grads[i];
                dot += g * ((double) p0[i] - weights[i]);
                m[i] = (float) (beta1 * m[i] + (1.0 - beta1) * stepD * g);
                v[i] = (float) (beta2 * v[i] + (1.0 - beta2) * stepD * stepD * g * g);
                float si = (float) (beta3 * s[i] + sWeight * g);
                s[i] = si;
                l1 += Math.abs(si);
            }
            out[k] = new double[] {ratio * dlr * dot, l1};
        }
        return out;
    }

    /** Phase two: the new d from every slice's contributions (in tensor order), then the weights. */
    @Override
    protected void update(float[] weights, float[] grads, List<ParamSlice> slices, long t, List<double[]> all) {
        float[] m = vector(0);
        float[] v = vector(1);
        double numerator = beta3 * dNumerator;
        double denominator = 0;
        for (double[] p : all) {
            if (p != null) {
                numerator += p[0];
                denominator += p[1];
            }
        }
        if (denominator > 0) {
            double dHat = dCoef * numerator / denominator;
            double dNew = stepD;
            if (stepD == (float) d0) {
                dNew = Math.max(stepD, dHat);
            }
            double newMax = Math.max(dMax, dHat);
            dNew = Math.min(newMax, dNew * growthRate);
            d = (float) dNew;
            dMax = (float) newMax;
            dNumerator = (float) numerator;
        }
        double epsTerm = d * eps;
        for (ParamSlice sl : slices) {
            double lr = sl.lr();
            if (lr == 0) {
                continue;
            }
            double dlr = stepD * lr * stepBc;
            double decay = 1.0 - sl.weightDecay() * dlr;
            for (int i = sl.offset(); i < sl.end(); i++) {
                weights[i] = (float) (weights[i] * decay - dlr * m[i] / (Math.sqrt(v[i]) + epsTerm));
            }
        }
    }

    @Override
    protected void update(float[] weights, float[] grads, List<ParamSlice> slices, long t) {
        throw new IllegalStateException("Prodigy's step has two phases (partials, then the update)");
    }

    /** The current distance estimate d. */
    public double d() {
        return d;
    }

    @Override
    protected List<String> scalarStateNames() {
        return List.of(D, D_MAX, D_NUMERATOR);
    }

    @Override
    protected void writeScalarState(Map<String, float[]> out) {
        out.put(D, constantVector(d));
        out.put(D_MAX, constantVector(dMax));
        out.put(D_NUMERATOR, constantVector(dNumerator));
    }

    @Override
    protected void readScalarState(Map<String, float[]> state) {
        float newD = constantValue(state, D, (float) d0);
        float newMax = constantValue(state, D_MAX, (float) d0);
        float newNum = constantValue(state, D_NUMERATOR, 0f);
        d = newD;
        dMax = newMax;
        dNumerator = newNum;
    }

    @Override
    public String name() {
        return SPEC.id();
    }
}
