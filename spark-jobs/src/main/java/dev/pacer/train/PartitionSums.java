package dev.pacer.train;

import java.util.List;

/**
 * Means over the partitions' results, summed in partition order whatever the order tasks finished
 * in, so a backend's validation and probe losses do not depend on task timing (and both backends
 * compute the same bits).
 */
public final class PartitionSums {

    private PartitionSums() {}

    /** Mean loss per token of the partitions' summed losses; NaN when they scored no token. */
    public static double meanLoss(List<StepResult> parts) {
        double loss = 0;
        long tokens = 0;
        for (StepResult r : parts) {
            loss += r.lossSum();
            tokens += r.tokens();
        }
        return tokens == 0 ? Double.NaN : loss / tokens;
    }

    /** Mean loss per token at each of a probe's {@code points}. */
    public static double[] meanProbeLosses(List<ProbeResult> parts, int points) {
        double[] sums = new double[points];
        long tokens = 0;
        for (ProbeResult r : parts) {
            for (int i = 0; i < sums.length; i++) {
                sums[i] += r.lossSums()[i];
            }
            tokens += r.tokens();
        }
        for (int i = 0; i < sums.length; i++) {
            sums[i] /= tokens;
        }
        return sums;
    }
}
