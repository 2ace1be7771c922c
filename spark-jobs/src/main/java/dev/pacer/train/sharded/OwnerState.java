package dev.pacer.train.sharded;

import dev.pacer.model.ParameterLayout;
import dev.pacer.optim.Optimizer;
import dev.pacer.run.TrainingPoint;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

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
    /** Weight blocks this owner published with their chunks, oldest first: the two newest stay for replicas catching up. */
    private final Deque<Map.Entry<String, List<ByteBuffer>>> published = new ArrayDeque<>();

    private String evaluationBlock;
    /**
     * The version {@link #publish} last published and its tensors: what a replica in this JVM
     * copies (another rank's task may read them: the version is written last, and volatile).
     */
    private volatile long heldVersion = -1;

    private int[] heldTensors = new int[0];

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

    /**
     * Publishes the training weights of {@code which} (owned tensors) as version {@code version}:
     * a block in chunks from {@code pool} (the chunks of the block it stops keeping go back
     * there), except when every rank runs in this JVM ({@link ShardSpec#oneJvm}); replicas in
     * this JVM copy them from here ({@link #heldTensors}) either way.
     */
    void publish(ShardSpec spec, long generation, long version, int[] which, BlockTransport transport, ChunkPool pool) {
        heldTensors = which.clone();
        heldVersion = version;
        if (spec.oneJvm()) {
            return;
        }
        String name = spec.weightBlock(generation, version, rank);
        List<ByteBuffer> chunks = encode(spec, version, which, weights, pool::take);
        transport.put(name, chunks);
        published.addLast(Map.entry(name, chunks));
        while (published.size() > 2) {
            Map.Entry<String, List<ByteBuffer>> oldest = published.removeFirst();
            transport.remove(oldest.getKey());
            pool.give(oldest.getValue());
        }
    }

    /**
     * The tensors this owner published as version {@code version}, when that is its newest; null
     * otherwise. Their values are {@link #weights} until the owner's next update, which no job
     * runs before every replica has read the version.
     */
    int[] heldTensors(long version) {
        return heldVersion == version ? heldTensors : null;
    }

    /** Publishes the whole shard's evaluation weights as version {@code version}. */
    void publishEvaluation(ShardSpec spec, long generation, long version, BlockTransport transport) {
        if (evaluationBlock != null) {
            transport.remove(evaluationBlock);
        }
        evaluationBlock = spec.evaluationBlock(generation, version, rank);
        transport.put(
                evaluationBlock,
                encode(spec, version, tensors, optimizer.evaluationWeights(weights), ByteBuffer::allocate));
    }

    private static List<ByteBuffer> encode(
            ShardSpec spec, long version, int[] which, float[] shard, IntFunction<ByteBuffer> allocate) {
        ParameterLayout layout = spec.layout();
        return TensorBlock.encode(
                version,
                which,
                shard,
                spec.plan()::offsetInShard,
                t -> layout.tensors().get(t).size(),
                t -> spec.weightsInBf16()[t],
                TensorBlock.CHUNK_BYTES,
                allocate);
    }

    void dropPublished(BlockTransport transport, ChunkPool pool) {
        for (Map.Entry<String, List<ByteBuffer>> b : published) {
            transport.remove(b.getKey());
            pool.give(b.getValue());
        }
        published.clear();
        if (evaluationBlock != null) {
            transport.remove(evaluationBlock);
            evaluationBlock = null;
        }
    }
}
