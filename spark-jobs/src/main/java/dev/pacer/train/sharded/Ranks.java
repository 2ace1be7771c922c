package dev.pacer.train.sharded;

import dev.pacer.data.CorpusPartition;
import java.io.Serializable;
import java.util.List;

/**
 * The executors of a sharded run, one rank per data partition: a job runs a task on every rank,
 * where that rank's data and state live, and returns the results in rank order. {@link SparkRanks}
 * runs jobs on Spark; {@link LocalRanks} runs them one after another in this JVM.
 */
public interface Ranks {

    /** A job's work on one rank, sent to the executor (keep its fields small). */
    interface Task<R extends Serializable> extends Serializable {
        R run(int rank, CorpusPartition data);
    }

    /** Runs {@code task} on every rank; results in rank order. */
    <R extends Serializable> List<R> run(String label, Task<R> task);

    int count();

    /**
     * Lets every later job's tasks carry a small handle to {@code spec} instead of the spec itself
     * (on Spark: one broadcast, read once per executor). Released by {@link #unshare}.
     */
    default void share(ShardSpec spec) {}

    /** Ends {@link #share}: tasks carry the spec itself again. */
    default void unshare(ShardSpec spec) {}
}
