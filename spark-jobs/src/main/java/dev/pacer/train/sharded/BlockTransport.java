package dev.pacer.train.sharded;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Function;

/**
 * Moves the sharded update's blocks (gradient pieces, weight shards) between executors: a rank
 * puts a block into its executor's store under a name, any rank gets it by name, wherever it is.
 * {@link SparkBlocks} uses Spark's block manager (the only class that touches Spark's internals);
 * {@link LocalBlocks} keeps blocks in this JVM for runs without Spark.
 */
public interface BlockTransport {

    /** Stores a block made of {@code chunks} (each read from position 0 to its limit). */
    void put(String name, List<ByteBuffer> chunks);

    /**
     * Reads block {@code name} with {@code reader}, which gets read-only views of its chunks and
     * must be done with them when it returns; {@link MissingBlockException} when no executor has
     * the block.
     */
    <T> T read(String name, Function<List<ByteBuffer>, T> reader);

    /** How long {@link #awaitRead} waits for a block before it gives the run's state up as lost. */
    java.time.Duration AWAIT = java.time.Duration.ofMinutes(30);

    /**
     * As {@link #read}, for a block another task of the same job may still be putting: while no
     * executor has it, retries after 0.1 ms, doubling up to 5 ms, for at most {@link #AWAIT}
     * (then {@link LostStateException}). The wait ends when the calling task is
     * {@link #cancelled} (when one task of a barrier job fails, Spark kills the others without
     * interrupting their threads unless the job sets {@code spark.job.interruptOnCancel}) or its
     * thread is interrupted.
     */
    default <T> T awaitRead(String name, Function<List<ByteBuffer>, T> reader) {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        long pauseMicros = 100;
        while (true) {
            try {
                return read(name, reader);
            } catch (MissingBlockException e) {
                if (System.nanoTime() > deadline) {
                    throw new LostStateException("block " + name + " did not appear within " + AWAIT.toMinutes()
                            + " minutes: the task that puts it failed or stalled");
                }
                if (cancelled()) {
                    throw new IllegalStateException("cancelled while waiting for block " + name);
                }
                try {
                    java.util.concurrent.TimeUnit.MICROSECONDS.sleep(pauseMicros);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for block " + name, interrupted);
                }
                pauseMicros = Math.min(2 * pauseMicros, 5_000);
            }
        }
    }

    /** Whether the task this thread runs was cancelled; never, outside Spark. */
    default boolean cancelled() {
        return false;
    }

    /** Drops block {@code name} from this executor's store (nothing if absent). */
    void remove(String name);

    /** The transport of the JVM this runs in: Spark's block manager inside Spark, else in-process. */
    static BlockTransport here() {
        return SparkBlocks.available() ? SparkBlocks.INSTANCE : LocalBlocks.INSTANCE;
    }

    /** A block no executor holds: its executor was lost, or the run's state is from another generation. */
    final class MissingBlockException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public MissingBlockException(String name) {
            super("block " + name + " is on no executor (its executor was lost, or it belongs to an earlier"
                    + " start of the run)");
        }
    }
}
