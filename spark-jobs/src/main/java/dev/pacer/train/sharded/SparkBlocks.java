package dev.pacer.train.sharded;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.SparkEnv;
import org.apache.spark.storage.BlockData;
import org.apache.spark.storage.BlockId;
import org.apache.spark.storage.BlockManager;
import org.apache.spark.storage.ByteBufferBlockData;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.storage.TestBlockId;
import org.apache.spark.util.io.ChunkedByteBuffer;
import scala.Option;
import scala.reflect.ClassTag$;

/**
 * {@link BlockTransport} on Spark's block manager, the machinery Spark itself moves broadcast
 * pieces and cached partitions with: a put stores the block in this executor's memory (spilling
 * to its disk if memory is short) and tells the driver's block-manager master where it is; a get
 * reads it from this executor or fetches it from the one that has it. This is the only class that
 * uses Spark's internal API (the block manager is not public API): {@code BlockManager.putBytes},
 * {@code getLocalBytes}/{@code releaseLock} (with {@code ByteBufferBlockData} for in-place reads),
 * {@code getRemoteBytes}, {@code removeBlock} and {@link TestBlockId}, the block-id kind Spark parses back from any name. Their signatures are the
 * same in Spark 3.5 and 4.1; the sharded tests run on both (the YARN test builds with 3.5).
 *
 * <p>Blocks are heap buffers: Spark disposes direct buffers when it drops a block, which would
 * free memory a reader still holds.
 */
final class SparkBlocks implements BlockTransport {

    static final SparkBlocks INSTANCE = new SparkBlocks();

    private SparkBlocks() {}

    static boolean available() {
        return SparkEnv.get() != null;
    }

    private static BlockManager manager() {
        return SparkEnv.get().blockManager();
    }

    private static BlockId id(String name) {
        return new TestBlockId(name);
    }

    @Override
    public void put(String name, List<ByteBuffer> chunks) {
        ByteBuffer[] buffers = chunks.stream().map(ByteBuffer::duplicate).toArray(ByteBuffer[]::new);
        boolean stored = manager()
                .putBytes(
                        id(name),
                        new ChunkedByteBuffer(buffers),
                        StorageLevel.MEMORY_AND_DISK_SER(),
                        true,
                        ClassTag$.MODULE$.Any());
        if (!stored) {
            throw new IllegalStateException("Spark's block manager refused block " + name
                    + " (memory and disk full?); give executors more memory (spark.executor.memory)");
        }
    }

    @Override
    public <T> T read(String name, Function<List<ByteBuffer>, T> reader) {
        BlockManager bm = manager();
        BlockId id = id(name);
        Option<BlockData> local = bm.getLocalBytes(id);
        if (local.isDefined()) {
            // read in place, under the block's read lock: no copy of a block this executor holds
            try {
                BlockData data = local.get();
                ByteBuffer[] chunks = data instanceof ByteBufferBlockData b
                        ? b.buffer().getChunks()
                        : new ByteBuffer[] {data.toByteBuffer()};
                return reader.apply(
                        Arrays.stream(chunks).map(ByteBuffer::asReadOnlyBuffer).toList());
            } finally {
                bm.releaseLock(id, Option.empty());
            }
        }
        Option<ChunkedByteBuffer> remote = bm.getRemoteBytes(id);
        if (remote.isEmpty()) {
            throw new MissingBlockException(name);
        }
        return reader.apply(Arrays.asList(remote.get().getChunks()));
    }

    /** Spark's own mark on the task this thread runs: killed, with or without an interrupt. */
    @Override
    public boolean cancelled() {
        org.apache.spark.TaskContext ctx = org.apache.spark.TaskContext.get();
        return ctx != null && ctx.isInterrupted();
    }

    @Override
    public void remove(String name) {
        manager().removeBlock(id(name), true);
    }
}
