package dev.pacer.hidlr;

import dev.pacer.model.ParameterLayout;
import dev.pacer.model.TensorSpec;
import java.io.Serializable;
import java.util.List;

/**
 * The points of one Hi-DLR probe, in a form an executor can evaluate without knowing the
 * grouping: for each probed group its spans of the flat weight vector and its offsets {@code ξ}
 * (offset multiples times the group's rate). The first point is the weights themselves.
 *
 * @param spanStart  per probed group, the first index of each of its tensors
 * @param spanLength per probed group, the length of each of its tensors
 * @param xi         per probed group, the steps along the direction to evaluate
 * @param rates      per probed group, the rate of the step the probe follows
 */
public record ProbePlan(int[][] spanStart, int[][] spanLength, double[][] xi, double[] rates) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** A loss of a full weight vector, e.g. a forward pass over the probe batch. */
    @FunctionalInterface
    public interface LossFunction {
        double loss(float[] weights);
    }

    /**
     * @param probed  groups to probe, in order
     * @param rates   each probed group's current rate
     * @param offsets offsets in units of the rate
     */
    public static ProbePlan of(
            ParameterLayout layout, ParameterGroups groups, int[] probed, double[] rates, double[] offsets) {
        if (rates.length != probed.length) {
            throw new IllegalArgumentException(probed.length + " probed groups but " + rates.length + " rates");
        }
        List<TensorSpec> tensors = layout.tensors();
        int[][] start = new int[probed.length][];
        int[][] length = new int[probed.length][];
        double[][] xi = new double[probed.length][offsets.length];
        for (int j = 0; j < probed.length; j++) {
            List<Integer> ts = groups.group(probed[j]).tensors();
            start[j] = new int[ts.size()];
            length[j] = new int[ts.size()];
            for (int i = 0; i < ts.size(); i++) {
                start[j][i] = tensors.get(ts.get(i)).offset();
                length[j][i] = tensors.get(ts.get(i)).size();
            }
            for (int o = 0; o < offsets.length; o++) {
                xi[j][o] = offsets[o] * rates[j];
            }
        }
        return new ProbePlan(start, length, xi, rates.clone());
    }

    /**
     * Each probed group's update direction of the step from {@code before} to {@code after}: the
     * change divided by the group's rate (so a step of ξ = rate along it is the step taken); 0
     * outside the probed groups.
     */
    public float[] direction(float[] before, float[] after) {
        float[] direction = new float[before.length];
        for (int j = 0; j < rates.length; j++) {
            for (int s = 0; s < spanStart[j].length; s++) {
                for (int i = spanStart[j][s], end = i + spanLength[j][s]; i < end; i++) {
                    direction[i] = (float) ((before[i] - after[i]) / rates[j]);
                }
            }
        }
        return direction;
    }

    /** Number of points, i.e. forward passes: 1 + offsets × probed groups. */
    public int points() {
        int n = 1;
        for (double[] x : xi) {
            n += x.length;
        }
        return n;
    }

    /**
     * The loss at {@code weights}, then at {@code weights − ξ·direction} restricted to each probed
     * group for each of its offsets, in that order. {@code weights} is not modified.
     */
    public double[] evaluate(LossFunction f, float[] weights, float[] direction) {
        if (direction.length != weights.length) {
            throw new IllegalArgumentException(
                    "direction holds " + direction.length + " values, weights " + weights.length);
        }
        double[] out = new double[points()];
        float[] work = weights.clone();
        out[0] = f.loss(work);
        int n = 1;
        for (int j = 0; j < xi.length; j++) {
            for (double x : xi[j]) {
                for (int s = 0; s < spanStart[j].length; s++) {
                    for (int i = spanStart[j][s], end = i + spanLength[j][s]; i < end; i++) {
                        work[i] = (float) (weights[i] - x * direction[i]);
                    }
                }
                out[n++] = f.loss(work);
            }
            for (int s = 0; s < spanStart[j].length; s++) {
                System.arraycopy(weights, spanStart[j][s], work, spanStart[j][s], spanLength[j][s]);
            }
        }
        return out;
    }
}
