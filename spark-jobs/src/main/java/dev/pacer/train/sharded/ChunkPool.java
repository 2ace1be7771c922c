package dev.pacer.train.sharded;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The chunk buffers of blocks this JVM put and has since removed from the store, handed out
 * again for new blocks of the same sizes. A step's blocks have the same sizes as the last step's,
 * so after the first steps a step allocates none: at the gpt2-124m shape a fresh set was 344 MB
 * of zeroed heap a rank, a step, and its cost varied from 30 to 200 ms with the collector's state.
 *
 * <p>A chunk may only be given back once no task can read its block any more: a block is removed
 * when the job after the one that read it runs (a step's gradient pieces at the next step's
 * gradients, a weight block two versions later), and Spark keeps a heap block's buffers as they
 * were put and only drops its reference when the block is removed ({@link SparkBlocks}).
 */
final class ChunkPool {

    /** Buffers kept per size at most: a chunk nothing asks for again is left to the collector. */
    static final int KEPT_PER_SIZE = 16;

    private final Map<Integer, ArrayDeque<ByteBuffer>> free = new HashMap<>();

    /** A buffer of exactly {@code size} bytes, position 0: a kept one or a new one. */
    synchronized ByteBuffer take(int size) {
        ArrayDeque<ByteBuffer> kept = free.get(size);
        ByteBuffer b = kept == null ? null : kept.pollFirst();
        return b == null ? ByteBuffer.allocate(size) : b.clear();
    }

    /** Keeps the chunks of a removed block for later blocks. */
    synchronized void give(List<ByteBuffer> chunks) {
        for (ByteBuffer c : chunks) {
            ArrayDeque<ByteBuffer> kept = free.computeIfAbsent(c.capacity(), s -> new ArrayDeque<>());
            if (kept.size() < KEPT_PER_SIZE) {
                kept.addLast(c);
            }
        }
    }

    /** How many buffers are kept (tests). */
    synchronized int kept() {
        return free.values().stream().mapToInt(ArrayDeque::size).sum();
    }
}
