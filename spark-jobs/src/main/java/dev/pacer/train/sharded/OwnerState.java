package dev.pacer.train.sharded;

import dev.pacer.model.ParameterLayout;
import dev.pacer.optim.Optimizer;
import dev.pacer.run.TrainingPoint;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the owner of a shard keeps between steps (ZeRO-1): the shard's training weights, the
 * optimizer over them (its state only for these tensors), the AdaLRS snapshot of the shard, and
 * the summed gradient of the step in progress. The shard is its tensors one after another, in
 * layout order ({@link dev.pacer.model.ShardPlan#offsetInShard}).
 */
final class OwnerState {

    final int rank;
    final int[] tensors;
    float[] weights;
    Optimizer optimizer;
    TrainingPoint snapshot;
    float[] grads;
    /** The buffer {@link #grads} is summed into, kept from step to step. */
    private float[] gradientSum;
    /** Weight blocks this owner published, oldest first: the two newest stay for replicas catching up. */
    private final Deque<String> published = new ArrayDeque<>();

    private String evaluationBlock;

    OwnerState(int rank, int[] tensors, float[] weights, Optimizer optimizer) {
        this.rank = rank;
        this.tensors = tensors;
        this.weights = weights;
        this.optimizer = optimizer;
    }

    /** The shard-sized buffer the step's gradient pieces are added into, all zeros. */
    float[] zeroedGradientSum() {
        if (gradientSum == null || gradientSum.length != weights.length) {
            gradientSum = new float[weights.length];
        } else {
            java.util.Arrays.fill(gradientSum, 0f);
        }
        return gradientSum;
    }

    /** A copy of the shard's point: evaluation weights, optimizer state and step count. */
    TrainingPoint point() {
        return new TrainingPoint(
                optimizer.evaluationWeights(weights).clone(), optimizer.state(), optimizer.stepCount());
    }

    /** Continues from a point {@link #point} returned (an empty optimizer state: weights only, a fresh optimizer). */
    void restore(TrainingPoint p) {
        if (p.optimizerState().isEmpty()) {
            weights = p.weights().clone();
            return;
        }
        optimizer.restore(p.optimizerState(), p.optimizerSteps());
        weights = optimizer.trainingWeights(p.weights().clone());
    }

    /** Publishes the training weights of {@code which} (owned tensors) as version {@code version}. */
    void publish(ShardSpec spec, long generation, long version, int[] which, BlockTransport transport) {
        String name = spec.weightBlock(generation, version, rank);
        transport.put(name, encode(spec, version, which, weights));
        published.addLast(name);
        while (published.size() > 2) {
            transport.remove(published.removeFirst());
        }
    }

    /** Publishes the whole shard's evaluation weights as version {@code version}. */
    void publishEvaluation(ShardSpec spec, long generation, long version, BlockTransport transport) {
        if (evaluationBlock != null) {
            transport.remove(evaluationBlock);
        }
        evaluationBlock = spec.evaluationBlock(generation, version, rank);
        transport.put(evaluationBlock, encode(spec, version, tensors, optimizer.evaluationWeights(weights)));
    }

    private java.util.List<java.nio.ByteBuffer> encode(ShardSpec spec, long version, int[] which, float[] shard) {
        ParameterLayout layout = spec.layout();
        return TensorBlock.encode(
                version,
                which,
                shard,
                spec.plan()::offsetInShard,
                t -> layout.tensors().get(t).size(),
                t -> spec.weightsInBf16()[t]);
    }

    void dropPublished(BlockTransport transport) {
        published.forEach(transport::remove);
        published.clear();
        if (evaluationBlock != null) {
            transport.remove(evaluationBlock);
            evaluationBlock = null;
        }
    }
}
