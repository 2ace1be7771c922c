package dev.pacer.optim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
public final class AdamW implements Optimizer {

    /** State name of the first-moment vector m. */
    public static final String EXP_AVG = "exp_avg";
    /** State name of the second-moment vector v. */
    public static final String EXP_AVG_SQ = "exp_avg_sq";

    private final int size;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private float[] expAvg;
    private float[] expAvgSq;
    private long step;

    /**
     * @param size  length of the flat weight vector
     * @param beta1 first-moment decay, in [0, 1)
     * @param beta2 second-moment decay, in [0, 1)
     * @param eps   denominator term, finite and &gt; 0
     */
    public AdamW(int size, double beta1, double beta2, double eps) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, got " + size);
        }
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("eps must be finite and > 0, got " + eps);
        }
        this.size = size;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.expAvg = new float[size];
        this.expAvgSq = new float[size];
    }

    public int size() {
        return size;
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
    public void step(float[] weights, float[] grads, List<ParamSlice> slices) {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(grads, "grads");
        Objects.requireNonNull(slices, "slices");
        if (weights.length != size) {
            throw new IllegalArgumentException("weights length " + weights.length + " != optimizer size " + size);
        }
        if (grads.length != size) {
            throw new IllegalArgumentException("grads length " + grads.length + " != optimizer size " + size);
        }
        checkSlices(slices);

        long t = step + 1;
        double b1 = beta1;
        double b2 = beta2;
        double oneMinusB1 = 1.0 - b1;
        double oneMinusB2 = 1.0 - b2;
        double biasCorrection1 = 1.0 - Math.pow(b1, t);
        double biasCorrection2 = 1.0 - Math.pow(b2, t);
        float[] m = expAvg;
        float[] v = expAvgSq;
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
        step = t;
    }

    /** Checks bounds and non-overlap of all slices before anything is modified. */
    private void checkSlices(List<ParamSlice> slices) {
        List<ParamSlice> sorted = new ArrayList<>(slices.size());
        for (ParamSlice s : slices) {
            Objects.requireNonNull(s, "slices contains null");
            if (s.end() > size) {
                throw new IllegalArgumentException("slice '" + s.name() + "' [" + s.offset() + ", " + s.end()
                        + ") exceeds the weight vector length " + size);
            }
            if (s.length() > 0) {
                sorted.add(s);
            }
        }
        // Empty slices touch nothing; among the others, sorted by offset, each must start at or after
        // the end of the previous one.
        sorted.sort(Comparator.comparingInt(ParamSlice::offset));
        for (int k = 1; k < sorted.size(); k++) {
            ParamSlice prev = sorted.get(k - 1);
            ParamSlice cur = sorted.get(k);
            if (prev.end() > cur.offset()) {
                throw new IllegalArgumentException("slices '" + prev.name() + "' [" + prev.offset() + ", "
                        + prev.end() + ") and '" + cur.name() + "' [" + cur.offset() + ", " + cur.end()
                        + ") overlap");
            }
        }
    }

    @Override
    public long stepCount() {
        return step;
    }

    @Override
    public Map<String, float[]> state() {
        Map<String, float[]> out = new LinkedHashMap<>();
        out.put(EXP_AVG, expAvg.clone());
        out.put(EXP_AVG_SQ, expAvgSq.clone());
        return out;
    }

    @Override
    public void restore(Map<String, float[]> state, long stepCount) {
        Objects.requireNonNull(state, "state");
        if (stepCount < 0) {
            throw new IllegalArgumentException("stepCount must be >= 0, got " + stepCount);
        }
        for (String key : state.keySet()) {
            if (!EXP_AVG.equals(key) && !EXP_AVG_SQ.equals(key)) {
                throw new IllegalArgumentException("unknown AdamW state '" + key + "' (expected '" + EXP_AVG
                        + "' and '" + EXP_AVG_SQ + "')");
            }
        }
        float[] m = checkedState(state, EXP_AVG);
        float[] v = checkedState(state, EXP_AVG_SQ);
        this.expAvg = m.clone();
        this.expAvgSq = v.clone();
        this.step = stepCount;
    }

    private float[] checkedState(Map<String, float[]> state, String key) {
        float[] a = state.get(key);
        if (a == null) {
            throw new IllegalArgumentException("missing AdamW state '" + key + "'");
        }
        if (a.length != size) {
            throw new IllegalArgumentException(
                    "AdamW state '" + key + "' has length " + a.length + ", expected " + size);
        }
        return a;
    }

    @Override
    public String name() {
        return "adamw";
    }
}
