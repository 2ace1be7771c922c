package dev.pacer.train.sharded;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
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
        /** Gradient and message blocks this JVM's ranks put for the last step, with their chunks: dropped at the next one. */
        final Map<String, List<ByteBuffer>> gradientBlocks = new LinkedHashMap<>();
        /** The chunks of this JVM's removed blocks, for the next ones. */
        final ChunkPool chunks = new ChunkPool();
        /** With every rank in this JVM: the fused step's messages by name, of step {@link #messagesSeq} only. */
        private final Map<String, long[]> messages = new java.util.HashMap<>();

        private long messagesSeq = -1;
        /** Per rank, the buffer its step's full gradient is written to, kept from step to step. */
        private final Map<Integer, RankGradient> gradients = new ConcurrentHashMap<>();

        Resident(String run, long generation, int size) {
            this.run = run;
            this.generation = generation;
            this.replica = new ReplicaWeights(size, owners);
        }

        /**
         * Rank {@code rank}'s gradient buffer of {@code size} values: allocated once, not every step
         * (a fresh array of a large model's gradient costs its zeroing and page faults each time).
         * Its contents are whatever the last step left; the replica overwrites every value.
         */
        float[] gradientBuffer(int rank, int size) {
            return gradients.compute(rank, (r, g) -> g != null && g.values.length == size ? g : new RankGradient(size))
                    .values;
        }

        /** Rank {@code rank}'s buffer now holds its gradient of computed step {@code seq}. */
        void gradientComputed(int rank, long seq) {
            gradients.get(rank).seq = seq;
        }

        /**
         * Rank {@code rank}'s gradient of computed step {@code seq} when that rank computed it in
         * this JVM, else null. It stays valid until the rank's next gradients: after every job
         * that reads the step's pieces.
         */
        float[] gradientOf(int rank, long seq) {
            RankGradient g = gradients.get(rank);
            return g != null && g.seq == seq ? g.values : null;
        }

        /** Whether rank {@code rank}'s shard is kept in this JVM: its pieces need no block. */
        boolean ownsHere(int rank) {
            return owners.containsKey(rank);
        }

        OwnerState owner(int rank) {
            OwnerState o = owners.get(rank);
            if (o == null) {
                throw new LostStateException("rank " + rank + "'s shard of run " + run + " (generation " + generation
                        + ") is not on this executor: its executor was lost or the task moved");
            }
            return o;
        }

        /**
         * Posts message {@code name} of computed step {@code seq} for the ranks of this JVM; the
         * first post of a step forgets the last step's messages (every rank read them before the
         * job of that step ended).
         */
        void post(long seq, String name, long[] values) {
            synchronized (messages) {
                if (seq != messagesSeq) {
                    messages.clear();
                    messagesSeq = seq;
                }
                messages.put(name, values);
                messages.notifyAll();
            }
        }

        /**
         * Message {@code name}, waiting while its rank has not posted it: woken by the post, for
         * at most {@link BlockTransport#AWAIT}. Ends when {@code killed} says the task was
         * cancelled (another rank failed) or the thread is interrupted.
         */
        long[] awaitMessage(String name, java.util.function.BooleanSupplier killed) {
            long deadline = System.nanoTime() + BlockTransport.AWAIT.toNanos();
            synchronized (messages) {
                while (true) {
                    long[] values = messages.get(name);
                    if (values != null) {
                        return values;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new LostStateException("message " + name + " was not posted within "
                                + BlockTransport.AWAIT.toMinutes()
                                + " minutes: the task that posts it failed or stalled");
                    }
                    if (killed.getAsBoolean()) {
                        throw new IllegalStateException("cancelled while waiting for message " + name);
                    }
                    try {
                        // woken by every post; the slice bounds how late a cancellation is seen
                        messages.wait(
                                Math.max(1, Math.min(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(left), 100)));
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while waiting for message " + name, interrupted);
                    }
                }
            }
        }

        /** Drops this generation's blocks from the store (its executor's part). */
        void dropBlocks(BlockTransport transport) {
            dropGradientBlocks(transport, name -> true);
            owners.values().forEach(o -> o.dropPublished(transport, chunks));
        }

        /** Records a block of a step's gradient pieces or messages, put with {@code chunks}. */
        void putGradientBlock(String name, List<ByteBuffer> blockChunks) {
            synchronized (gradientBlocks) {
                gradientBlocks.put(name, blockChunks);
            }
        }

        /** Removes the recorded gradient and message blocks {@code which} selects; their chunks go to the pool. */
        void dropGradientBlocks(BlockTransport transport, java.util.function.Predicate<String> which) {
            synchronized (gradientBlocks) {
                for (var it = gradientBlocks.entrySet().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    if (which.test(e.getKey())) {
                        transport.remove(e.getKey());
                        chunks.give(e.getValue());
                        it.remove();
                    }
                }
            }
        }
    }

    /** A rank's gradient buffer and the computed step it holds (-1: none yet). */
    private static final class RankGradient {
        final float[] values;
        volatile long seq = -1;

        RankGradient(int size) {
            this.values = new float[size];
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
