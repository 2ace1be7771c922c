package dev.pacer.train.sharded;

import dev.pacer.transfer.Bf16Codec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.function.IntUnaryOperator;

/**
 * The bytes of a block: whole tensors' values, little-endian, after a header (a magic number, a
 * version, the tensor count) and each tensor's layout index, length and encoding: float32, or
 * bfloat16 ({@link Bf16Codec}: half the bytes, 8 significant bits; padded to a whole number of
 * 4-byte words). Readers always receive float32 values. A block is a list of chunks of at most
 * {@link #CHUNK_BYTES}, so no array or buffer ever holds more than that (a Java buffer stops at
 * 2 GB; a model's shard may not).
 */
final class TensorBlock {

    static final int CHUNK_BYTES = 64 << 20;
    /** Values encoded or decoded per bulk copy. */
    private static final int SCRATCH = 1 << 16;

    private static final int MAGIC = 0x50544232; // "PTB2"
    private static final int FP32 = 0;
    private static final int BF16 = 1;

    private TensorBlock() {}

    /**
     * Encodes tensors {@code tensors} (layout indices) of {@code data}, tensor {@code t} at
     * {@code data[offsetOf(t), offsetOf(t) + lengthOf(t))}, in bf16 when {@code inBf16} says so,
     * else in float32.
     */
    static List<ByteBuffer> encode(
            long version,
            int[] tensors,
            float[] data,
            IntUnaryOperator offsetOf,
            IntUnaryOperator lengthOf,
            IntPredicate inBf16,
            ChunkPool pool) {
        return encode(version, tensors, data, offsetOf, lengthOf, inBf16, CHUNK_BYTES, pool::take);
    }

    /**
     * As above, in chunks of at most {@code chunkBytes} (a multiple of 4; tests use small ones),
     * each from {@code allocate} (a buffer of exactly the size asked, position 0).
     */
    static List<ByteBuffer> encode(
            long version,
            int[] tensors,
            float[] data,
            IntUnaryOperator offsetOf,
            IntUnaryOperator lengthOf,
            IntPredicate inBf16,
            int chunkBytes,
            IntFunction<ByteBuffer> allocate) {
        if (chunkBytes <= 0 || chunkBytes % Integer.BYTES != 0) {
            throw new IllegalArgumentException("chunks of " + chunkBytes + " bytes: expected a positive multiple of 4");
        }
        long bytes = 4L * Integer.BYTES;
        for (int t : tensors) {
            int length = lengthOf.applyAsInt(t);
            bytes += 3L * Integer.BYTES + (inBf16.test(t) ? 4L * ((length + 1) / 2) : (long) Float.BYTES * length);
        }
        Writer w = new Writer(bytes, chunkBytes, allocate);
        w.putInt(MAGIC);
        w.putInt((int) (version >>> 32));
        w.putInt((int) version);
        w.putInt(tensors.length);
        for (int t : tensors) {
            boolean bf16 = inBf16.test(t);
            w.putInt(t);
            w.putInt(lengthOf.applyAsInt(t));
            w.putInt(bf16 ? BF16 : FP32);
            if (bf16) {
                w.putBf16(data, offsetOf.applyAsInt(t), lengthOf.applyAsInt(t));
            } else {
                w.putFloats(data, offsetOf.applyAsInt(t), lengthOf.applyAsInt(t));
            }
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
        float[] scratch = new float[SCRATCH];
        for (int k = 0; k < count; k++) {
            int t = r.getInt();
            int length = r.getInt();
            int encoding = r.getInt();
            if (encoding != FP32 && encoding != BF16) {
                throw new IllegalStateException("tensor " + t + " has an unknown encoding " + encoding);
            }
            for (int from = 0; from < length; ) {
                int max = Math.min(scratch.length, length - from);
                int n = encoding == BF16 ? r.getBf16(scratch, max) : r.getFloats(scratch, max);
                sink.accept(t, from, scratch, n);
                from += n;
            }
            if (encoding == BF16 && length % 2 == 1) {
                r.getBf16(scratch, 1); // the padding to a whole word
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

    /** Fills chunks of the block's exact size, so nothing is copied twice (a recycled chunk is overwritten whole). */
    private static final class Writer {
        private final List<ByteBuffer> chunks = new ArrayList<>();
        private final short[] shorts = new short[SCRATCH];
        private final int chunkBytes;
        private final IntFunction<ByteBuffer> allocate;
        private long left;
        private ByteBuffer current;

        Writer(long bytes, int chunkBytes, IntFunction<ByteBuffer> allocate) {
            this.left = bytes;
            this.chunkBytes = chunkBytes;
            this.allocate = allocate;
            this.current = newChunk();
        }

        private ByteBuffer newChunk() {
            int size = (int) Math.min(chunkBytes, left);
            left -= size;
            ByteBuffer b = allocate.apply(size).order(ByteOrder.LITTLE_ENDIAN);
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

        /** Writes {@code len} values as bf16, padded with a zero to a whole number of 4-byte words. */
        void putBf16(float[] a, int off, int len) {
            int end = off + len;
            while (off < end) {
                if (current.remaining() < Integer.BYTES) {
                    current = newChunk();
                }
                // whole words only, so a chunk never ends inside one
                int n = Math.min(Math.min(end - off, (current.remaining() / Integer.BYTES) * 2), SCRATCH);
                // encoded into an array, then copied in bulk: a buffer's putShort per value is
                // several times slower than the encoding itself
                for (int i = 0; i < n; i++) {
                    shorts[i] = Bf16Codec.encode(a[off + i]);
                }
                current.asShortBuffer().put(shorts, 0, n);
                current.position(current.position() + n * Short.BYTES);
                if (n % 2 == 1) {
                    current.putShort((short) 0);
                }
                off += n;
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
        private final short[] shorts = new short[SCRATCH];
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

        /** Reads up to {@code max} bf16 values from the current chunk into {@code into} as floats; returns how many. */
        int getBf16(float[] into, int max) {
            advanceIfEmpty();
            int n = Math.min(Math.min(max, current.remaining() / Short.BYTES), SCRATCH);
            current.asShortBuffer().get(shorts, 0, n);
            current.position(current.position() + n * Short.BYTES);
            for (int i = 0; i < n; i++) {
                into[i] = Bf16Codec.decode(shorts[i]);
            }
            return n;
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
