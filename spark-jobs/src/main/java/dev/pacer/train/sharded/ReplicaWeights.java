package dev.pacer.train.sharded;

import dev.pacer.model.ParameterLayout;
import dev.pacer.transfer.Bf16Codec;
import java.util.Map;

/**
 * The full training weights a replica computes with, in one executor JVM, and the version they
 * are at. A new version is assembled from every owner's weight block: a replica one version behind
 * takes the changed tensors (a step publishes only the trainable ones); any other replica needs
 * blocks that hold every tensor (a start, a rollback, a replay), else its state is lost. The shards
 * of owners in the same JVM are copied from them instead of their blocks. A Hi-DLR probe keeps the
 * version before the step ({@code keepPrevious}).
 */
final class ReplicaWeights {

    private final int size;
    /** The owners whose shards this JVM keeps, by rank: their weights are copied, not read from blocks. */
    private final Map<Integer, OwnerState> owners;

    private float[] weights;
    private long version = -1;
    private float[] previous;
    private long previousVersion = -1;
    private float[] evaluation;
    private long evaluationVersion = -1;

    ReplicaWeights(int size, Map<Integer, OwnerState> owners) {
        this.size = size;
        this.owners = owners;
    }

    /** The weights at {@code v}, assembled from the owners' blocks when this replica is not there yet. */
    synchronized float[] at(ShardSpec spec, long generation, long v, boolean keepPrevious, BlockTransport transport) {
        if (version == v) {
            if (keepPrevious && previousVersion != v - 1) {
                throw new LostStateException("the replica is at version " + v + " but no longer holds " + (v - 1)
                        + ", the weights before the step a probe measures");
            }
            return weights;
        }
        float[] next = weights == null ? new float[size] : keepPrevious ? weights.clone() : weights;
        boolean[] seen = assemble(spec, v, next, r -> spec.weightBlock(generation, v, r), transport, true);
        if (version != v - 1 && !all(seen)) {
            throw new LostStateException("the replica is at version " + version + " and cannot reach " + v
                    + " from a step's partial blocks: it missed a version");
        }
        if (keepPrevious) {
            previous = weights;
            previousVersion = version;
        }
        weights = next;
        version = v;
        return weights;
    }

    /** The weights before version {@code v}, kept by {@link #at} with {@code keepPrevious}. */
    synchronized float[] previous(long v) {
        if (previousVersion != v - 1 || previous == null) {
            throw new LostStateException("the replica holds no weights of version " + (v - 1));
        }
        return previous;
    }

    /** The evaluation weights at {@code v} (Schedule-Free's averaged point), from full evaluation blocks. */
    synchronized float[] evaluation(ShardSpec spec, long generation, long v, BlockTransport transport) {
        if (evaluationVersion != v) {
            float[] next = evaluation == null ? new float[size] : evaluation;
            if (!all(assemble(spec, v, next, r -> spec.evaluationBlock(generation, v, r), transport, false))) {
                throw new LostStateException("evaluation blocks of version " + v + " do not hold every tensor");
            }
            evaluation = next;
            evaluationVersion = v;
        }
        return evaluation;
    }

    /**
     * Version {@code v} into {@code into}, owner by owner: copied from the owner's shard when this
     * JVM keeps it at {@code v} (training weights only, with ranks handing pieces over in memory;
     * tensors that travel in bf16 rounded as their block would), else read from its block.
     */
    private boolean[] assemble(
            ShardSpec spec,
            long v,
            float[] into,
            java.util.function.IntFunction<String> blockOf,
            BlockTransport transport,
            boolean training) {
        ParameterLayout layout = spec.layout();
        boolean[] seen = new boolean[layout.tensors().size()];
        TensorBlock.Sink copy =
                TensorBlock.copyInto(into, t -> layout.tensors().get(t).offset());
        for (int r = 0; r < spec.plan().ranks(); r++) {
            OwnerState here = training && spec.piecesInMemory() ? owners.get(r) : null;
            int[] held = here == null ? null : here.heldTensors(v);
            if (held != null) {
                for (int t : held) {
                    copyTensor(spec, layout, t, here.weights, into);
                    seen[t] = true;
                }
                continue;
            }
            long got = transport.read(
                    blockOf.apply(r),
                    chunks -> TensorBlock.read(chunks, (t, from, values, n) -> {
                        seen[t] = true;
                        copy.accept(t, from, values, n);
                    }));
            if (got != v) {
                throw new LostStateException("block of rank " + r + " holds version " + got + ", expected " + v);
            }
        }
        return seen;
    }

    private static void copyTensor(ShardSpec spec, ParameterLayout layout, int t, float[] shard, float[] into) {
        int from = spec.plan().offsetInShard(t);
        int to = layout.tensors().get(t).offset();
        int n = layout.tensors().get(t).size();
        if (spec.weightsInBf16()[t]) {
            for (int i = 0; i < n; i++) {
                into[to + i] = Bf16Codec.decode(Bf16Codec.encode(shard[from + i]));
            }
        } else {
            System.arraycopy(shard, from, into, to, n);
        }
    }

    private static boolean all(boolean[] seen) {
        for (boolean b : seen) {
            if (!b) {
                return false;
            }
        }
        return true;
    }
}
