package dev.pacer.train.sharded;

import dev.pacer.model.ParameterLayout;

/**
 * The full training weights a replica computes with, in one executor JVM, and the version they
 * are at. A new version is assembled from every owner's weight block: a replica one version behind
 * takes the changed tensors (a step publishes only the trainable ones); any other replica needs
 * blocks that hold every tensor (a start, a rollback, a replay), else its state is lost. A Hi-DLR
 * probe keeps the version before the step ({@code keepPrevious}).
 */
final class ReplicaWeights {

    private final int size;
    private float[] weights;
    private long version = -1;
    private float[] previous;
    private long previousVersion = -1;
    private float[] evaluation;
    private long evaluationVersion = -1;

    ReplicaWeights(int size) {
        this.size = size;
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
        boolean[] seen = assemble(spec, v, next, r -> spec.weightBlock(generation, v, r), transport);
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
            if (!all(assemble(spec, v, next, r -> spec.evaluationBlock(generation, v, r), transport))) {
                throw new LostStateException("evaluation blocks of version " + v + " do not hold every tensor");
            }
            evaluation = next;
            evaluationVersion = v;
        }
        return evaluation;
    }

    private static boolean[] assemble(
            ShardSpec spec,
            long v,
            float[] into,
            java.util.function.IntFunction<String> blockOf,
            BlockTransport transport) {
        ParameterLayout layout = spec.layout();
        boolean[] seen = new boolean[layout.tensors().size()];
        TensorBlock.Sink copy =
                TensorBlock.copyInto(into, t -> layout.tensors().get(t).offset());
        for (int r = 0; r < spec.plan().ranks(); r++) {
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

    private static boolean all(boolean[] seen) {
        for (boolean b : seen) {
            if (!b) {
                return false;
            }
        }
        return true;
    }
}
