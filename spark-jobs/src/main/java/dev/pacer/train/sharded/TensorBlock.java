package dev.pacer.train.sharded;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * The bytes of a block: whole tensors' float32 values, little-endian, after a header (a magic
 * number, a version, the tensor count) and each tensor's layout index and length. A block is a
 * list of chunks of at most {@link #CHUNK_BYTES}, so no array or buffer ever holds more than that
 * (a Java buffer stops at 2 GB; a model's shard may not).
 */
final class TensorBlock {

    static final int CHUNK_BYTES = 64 << 20;
    private static final int MAGIC = 0x50544231; // "PTB1"

    private TensorBlock() {}

    /**
     * Encodes tensors {@code tensors} (layout indices) of {@code data}, tensor {@code t} at
     * {@code data[offsetOf(t), offsetOf(t) + lengthOf(t))}.
     */
    static List<ByteBuffer> encode(
            long version, int[] tensors, float[] data, IntUnaryOperator offsetOf, IntUnaryOperator lengthOf) {
        long bytes = 4L * Integer.BYTES;
        for (int t : tensors) {
            bytes += 2L * Integer.BYTES + (long) Float.BYTES * lengthOf.applyAsInt(t);
        }
        Writer w = new Writer(bytes);
        w.putInt(MAGIC);
        w.putInt((int) (version >>> 32));
        w.putInt((int) version);
        w.putInt(tensors.length);
        for (int t : tensors) {
            w.putInt(t);
            w.putInt(lengthOf.applyAsInt(t));
            w.putFloats(data, offsetOf.applyAsInt(t), lengthOf.applyAsInt(t));
        }
        return w.finish();
    }

    /** What to do with each tensor read from a block. */
    interface Sink {
        /** {@code n} values of tensor {@code t} starting at value {@code from} are in {@code values[0, n)}. */
        void accept(int t, int from, float[] values, int n);
    }

    /** Reads a block, handing its values to {@code sink} in pieces; returns the block's version. */
    static long read(List<ByteBuffer> chunks, Sink sink) {
        Reader r = new Reader(chunks);
        if (r.getInt() != MAGIC) {
            throw new IllegalStateException("not a tensor block (bad magic number)");
        }
        long version = ((long) r.getInt() << 32) | (r.getInt() & 0xffffffffL);
        int count = r.getInt();
        float[] scratch = new float[1 << 16];
        for (int k = 0; k < count; k++) {
            int t = r.getInt();
            int length = r.getInt();
            for (int from = 0; from < length; ) {
                int n = r.getFloats(scratch, Math.min(scratch.length, length - from));
                sink.accept(t, from, scratch, n);
                from += n;
            }
        }
        return version;
    }

    /** A sink that copies each tensor to {@code into[offsetOf(t) ...]}. */
    static Sink copyInto(float[] into, IntUnaryOperator offsetOf) {
        return (t, from, values, n) -> System.arraycopy(values, 0, into, offsetOf.applyAsInt(t) + from, n);
    }

    /** A sink that adds each tensor to {@code into[offsetOf(t) ...]}, value by value in float. */
    static Sink addInto(float[] into, IntUnaryOperator offsetOf) {
        return (t, from, values, n) -> {
            int base = offsetOf.applyAsInt(t) + from;
            for (int i = 0; i < n; i++) {
                into[base + i] += values[i];
            }
        };
    }

    /** Fills chunks allocated to the block's exact size, so nothing is copied twice. */
    private static final class Writer {
        private final List<ByteBuffer> chunks = new ArrayList<>();
        private long left;
        private ByteBuffer current;

        Writer(long bytes) {
            this.left = bytes;
            this.current = newChunk();
        }

        private ByteBuffer newChunk() {
            int size = (int) Math.min(CHUNK_BYTES, left);
            left -= size;
            ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
            chunks.add(b);
            return b;
        }

        void putInt(int v) {
            if (current.remaining() < Integer.BYTES) {
                current = newChunk();
            }
            current.putInt(v);
        }

        void putFloats(float[] a, int off, int len) {
            while (len > 0) {
                if (current.remaining() < Float.BYTES) {
                    current = newChunk();
                }
                int n = Math.min(len, current.remaining() / Float.BYTES);
                current.asFloatBuffer().put(a, off, n);
                current.position(current.position() + n * Float.BYTES);
                off += n;
                len -= n;
            }
        }

        List<ByteBuffer> finish() {
            for (ByteBuffer b : chunks) {
                b.flip();
            }
            return chunks;
        }
    }

    private static final class Reader {
        private final List<ByteBuffer> chunks;
        private int index;
        private ByteBuffer current;

        Reader(List<ByteBuffer> chunks) {
            this.chunks = chunks;
            this.current = chunks.get(0).duplicate().order(ByteOrder.LITTLE_ENDIAN);
        }

        private void advanceIfEmpty() {
            while (!current.hasRemaining()) {
                index++;
                if (index >= chunks.size()) {
                    throw new IllegalStateException("tensor block ends early");
                }
                current = chunks.get(index).duplicate().order(ByteOrder.LITTLE_ENDIAN);
            }
        }

        int getInt() {
            advanceIfEmpty();
            return current.getInt();
        }

        /** Reads up to {@code max} floats from the current chunk into {@code into}; returns how many. */
        int getFloats(float[] into, int max) {
            advanceIfEmpty();
            int n = Math.min(max, current.remaining() / Float.BYTES);
            current.asFloatBuffer().get(into, 0, n);
            current.position(current.position() + n * Float.BYTES);
            return n;
        }
    }
}
