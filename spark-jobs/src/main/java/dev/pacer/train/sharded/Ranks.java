package dev.pacer.train.sharded;

import dev.pacer.data.CorpusPartition;
import java.io.Serializable;
import java.util.List;

/**
 * The executors of a sharded run, one rank per data partition: a job runs a task on every rank,
 * where that rank's data and state live, and returns the results in rank order. {@link SparkRanks}
 * runs jobs on Spark; {@link LocalRanks} runs them in this JVM (one after another, or on one
 * thread per rank for {@link #runTogether}).
 */
public interface Ranks {

    /** A job's work on one rank, sent to the executor (keep its fields small). */
    interface Task<R extends Serializable> extends Serializable {
        R run(int rank, CorpusPartition data);
    }

    /** Runs {@code task} on every rank; results in rank order. */
    <R extends Serializable> List<R> run(String label, Task<R> task);

    /**
     * Runs {@code task} on every rank at once (on Spark: a barrier stage), so that a task may wait
     * for what another rank's task of the same job puts in the block store; results in rank order.
     * When one task fails the others are interrupted. Throws {@link TogetherRefused} when the
     * cluster cannot run every rank at once (too few task slots, dynamic allocation), before any
     * task ran.
     */
    <R extends Serializable> List<R> runTogether(String label, Task<R> task);

    /** The cluster cannot run every rank's task at once. */
    final class TogetherRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public TogetherRefused(String why) {
            super(why);
        }
    }

    int count();

    /**
     * Whether ranks whose tasks share a JVM hand each other their gradient pieces in memory
     * (true; {@link LocalRanks} can be told to send every piece as a block, as between
     * executors, so that in-process tests cover that path too).
     */
    default boolean piecesInMemory() {
        return true;
    }

    /**
     * Whether every rank's task runs in this JVM (Spark's {@code local[N]}, or {@link LocalRanks}
     * handing pieces over in memory): then owners publish no weight blocks, since every replica
     * copies the owners' weights in memory.
     */
    default boolean oneJvm() {
        return false;
    }

    /**
     * Lets every later job's tasks carry a small handle to {@code spec} instead of the spec itself
     * (on Spark: one broadcast, read once per executor). Released by {@link #unshare}.
     */
    default void share(ShardSpec spec) {}

    /** Ends {@link #share}: tasks carry the spec itself again. */
    default void unshare(ShardSpec spec) {}
}
