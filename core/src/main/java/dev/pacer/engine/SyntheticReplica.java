package dev.pacer.engine;

import dev.pacer.model.ParameterKind;
import dev.pacer.model.ParameterLayout;
import dev.pacer.model.TensorSpec;
import java.util.Arrays;
import java.util.List;

/**
 * A stand-in for the model whose numbers are the same on every CPU: a quadratic loss over the
 * model's parameter layout, computed in plain Java (IEEE double arithmetic, no transcendental
 * function), so a run's every step, controller decision and checkpoint byte repeat on any
 * x86-64 machine. libtorch picks kernels per CPU and its last bits differ between machines; tests
 * that check the driver's decisions (AdaLRS rounds, Hi-DLR fits, rollback, resume) use this to
 * force their cases deterministically. Transport benchmarks use it to move a model's worth of
 * gradients without computing one. It trains nothing useful.
 *
 * <p>Each sequence {@code s} has a per-token loss
 * {@code ℓ_s(w) = 1 + (S / P) Σ_i a_i/2 (w_i − μ_i − c·δ_s·σ_i)²}: curvature {@code a_i} (a
 * per-tensor scale times a per-element factor in [0.75, 1.25)), optimum {@code μ_i} (within 0.02
 * of 1 for norm gains, of 0 elsewhere: near the initial weights), a
 * batch-dependent shift {@code δ_s ∈ [−1, 1)} hashed from the sequence's tokens along a fixed
 * sign pattern {@code σ_i}. A sequence of {@code T + 1} tokens counts {@code T} tokens, as the
 * model's next-token loss does. The loss along any direction is exactly quadratic, so Hi-DLR's
 * curvature fits are exact.
 */
public final class SyntheticReplica implements Replica {

    /** Loss scale S: initial losses of a few nats at the model's initial weights. */
    private static final double SCALE = 1e4;
    /** Size c of the batch-dependent shift of the optimum. */
    private static final double SHIFT = 0.01;

    private final ParameterLayout layout;

    public SyntheticReplica(ParameterLayout layout) {
        this.layout = layout;
    }

    @Override
    public ModelReplica.LossSum gradients(
            float[] weights, List<int[]> sequences, int microBatch, float[] gradOut, boolean[] trainable) {
        return compute(weights, sequences, gradOut, trainable);
    }

    @Override
    public ModelReplica.LossSum loss(float[] weights, List<int[]> sequences, int microBatch) {
        return compute(weights, sequences, null, null);
    }

    /**
     * Summed loss over the sequences and, if {@code gradOut} is given, its gradient. With
     * {@code n} sequences of {@code T} tokens, {@code D1 = Σδ_s} and {@code D2 = Σδ_s²}, the sum
     * over sequences of {@code (e − cδσ)²} is {@code n·e² − 2cσ·e·D1 + c²·D2} with
     * {@code e = w − μ}: one pass over the parameters whatever the batch.
     */
    private ModelReplica.LossSum compute(float[] weights, List<int[]> sequences, float[] gradOut, boolean[] trainable) {
        if (weights.length != layout.totalSize()) {
            throw new IllegalArgumentException(
                    "weights hold " + weights.length + " values, the model needs " + layout.totalSize());
        }
        if (sequences.isEmpty()) {
            if (gradOut != null) {
                Arrays.fill(gradOut, 0f);
            }
            return new ModelReplica.LossSum(0, 0);
        }
        int tokensPerSequence = sequences.get(0).length - 1;
        double n = sequences.size();
        double d1 = 0;
        double d2 = 0;
        for (int[] s : sequences) {
            if (s.length - 1 != tokensPerSequence) {
                throw new IllegalArgumentException(
                        "sequences differ in length: " + s.length + " vs " + (tokensPerSequence + 1));
            }
            double d = shift(s);
            d1 += d;
            d2 += d * d;
        }
        double perElement = SCALE / layout.totalSize();
        double quadratic = 0;
        List<TensorSpec> tensors = layout.tensors();
        for (int t = 0; t < tensors.size(); t++) {
            TensorSpec spec = tensors.get(t);
            double kindScale = 0.25 * (1 + spec.kind().ordinal()) * (1 + 0.1 * (t % 3));
            boolean grad = gradOut != null && (trainable == null || trainable[t]);
            for (int i = spec.offset(), end = i + spec.size(); i < end; i++) {
                long h = mix(i + 0x51A7L);
                double a = kindScale * (0.75 + 0.5 * unit(h));
                double mu = (spec.kind() == ParameterKind.NORM ? 1 : 0) + 0.02 * (2 * unit(mix(h)) - 1);
                double sigma = (h & 1) == 0 ? 1 : -1;
                double e = weights[i] - mu;
                quadratic += a / 2 * (n * e * e - 2 * SHIFT * sigma * e * d1 + SHIFT * SHIFT * d2);
                if (grad) {
                    gradOut[i] = (float) (tokensPerSequence * perElement * a * (n * e - SHIFT * sigma * d1));
                }
            }
            if (gradOut != null && !grad) {
                Arrays.fill(gradOut, spec.offset(), spec.offset() + spec.size(), 0f);
            }
        }
        double loss = tokensPerSequence * (n + perElement * quadratic);
        return new ModelReplica.LossSum(loss, (long) tokensPerSequence * sequences.size());
    }

    /** δ_s in [−1, 1): a hash of the sequence's tokens. */
    private static double shift(int[] sequence) {
        long h = 0x5EED;
        for (int token : sequence) {
            h = mix(h ^ token);
        }
        return 2 * unit(h) - 1;
    }

    /** SplitMix64's finaliser. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static double unit(long h) {
        return (h >>> 11) * 0x1.0p-53;
    }

    @Override
    public void close() {}
}
