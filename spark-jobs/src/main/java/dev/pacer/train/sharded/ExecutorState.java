package dev.pacer.train.sharded;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A sharded run's state in one executor JVM, kept between Spark jobs: the replica's weights
 * (shared by the ranks running in this JVM) and the shards this JVM's ranks own. Keyed by run id
 * and generation (a restart from a checkpoint starts a new generation and drops the old one), so a
 * task that finds the wrong generation, or no state at all, fails with {@link LostStateException}
 * instead of computing from stale or fresh weights.
 */
final class ExecutorState {

    /** One run's state in this JVM. */
    static final class Resident {
        final String run;
        final long generation;
        final ReplicaWeights replica;
        final Map<Integer, OwnerState> owners = new ConcurrentHashMap<>();
        /** Gradient blocks this JVM's ranks put for the last step: dropped at the next one. */
        final List<String> gradientBlocks = new ArrayList<>();
        /** Per rank, the buffer its step's full gradient is written to, kept from step to step. */
        private final Map<Integer, float[]> gradientBuffers = new ConcurrentHashMap<>();

        Resident(String run, long generation, int size) {
            this.run = run;
            this.generation = generation;
            this.replica = new ReplicaWeights(size);
        }

        /**
         * Rank {@code rank}'s gradient buffer of {@code size} values: allocated once, not every step
         * (a fresh array of a large model's gradient costs its zeroing and page faults each time).
         * Its contents are whatever the last step left; the replica overwrites every value.
         */
        float[] gradientBuffer(int rank, int size) {
            return gradientBuffers.compute(rank, (r, b) -> b != null && b.length == size ? b : new float[size]);
        }

        OwnerState owner(int rank) {
            OwnerState o = owners.get(rank);
            if (o == null) {
                throw new LostStateException("rank " + rank + "'s shard of run " + run + " (generation " + generation
                        + ") is not on this executor: its executor was lost or the task moved");
            }
            return o;
        }

        /** Drops this generation's blocks from the store (its executor's part). */
        void dropBlocks(BlockTransport transport) {
            synchronized (gradientBlocks) {
                gradientBlocks.forEach(transport::remove);
                gradientBlocks.clear();
            }
            owners.values().forEach(o -> o.dropPublished(transport));
        }
    }

    private static final Map<String, Resident> RUNS = new ConcurrentHashMap<>();

    private ExecutorState() {}

    /**
     * The run's state for a task of generation {@code generation} that may create it (a start): a
     * newer generation replaces an older one.
     */
    static synchronized Resident enter(String run, long generation, int size) {
        Resident r = RUNS.get(run);
        if (r != null && r.generation > generation) {
            throw new LostStateException("a task of generation " + generation + " of run " + run + " met generation "
                    + r.generation + ": it is stale");
        }
        if (r == null || r.generation < generation) {
            if (r != null) {
                r.dropBlocks(BlockTransport.here());
            }
            r = new Resident(run, generation, size);
            RUNS.put(run, r);
        }
        return r;
    }

    /** The run's state of generation {@code generation}, which must exist in this JVM. */
    static Resident existing(String run, long generation) {
        Resident r = RUNS.get(run);
        if (r == null || r.generation != generation) {
            throw new LostStateException("run " + run + " (generation " + generation + ") has no state on this"
                    + " executor" + (r == null ? "" : " (it has generation " + r.generation + ")")
                    + ": its executor was lost or replaced");
        }
        return r;
    }

    /** Forgets every run in this JVM, as a lost executor would (tests of the recovery). */
    static synchronized void forgetAll() {
        RUNS.clear();
    }

    /** Forgets the run in this JVM and drops its blocks. */
    static synchronized void leave(String run) {
        Resident r = RUNS.remove(run);
        if (r != null) {
            r.dropBlocks(BlockTransport.here());
        }
    }
}
