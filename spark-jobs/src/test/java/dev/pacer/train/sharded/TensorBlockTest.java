package dev.pacer.train.sharded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Blocks round-trip their tensors: float32 ones exactly, bf16 ones as the nearest bf16 value (ties
 * to even, derived here from the float's bits by hand), whatever the tensors' lengths (odd ones
 * are padded) and wherever the chunk boundaries fall, also when encoded into recycled chunks.
 */
class TensorBlockTest {

    /** Tensor t has length LENGTHS[t] and sits at OFFSETS[t] of the data. */
    private static final int[] LENGTHS = {7, 1, 40, 3, 16};

    private static final int[] OFFSETS = {0, 7, 8, 48, 51};

    @ParameterizedTest(name = "chunks of {0} bytes")
    @ValueSource(ints = {4, 8, 12, 20, 1 << 20})
    void mixedTensorsRoundTripThroughAnyChunking(int chunkBytes) {
        float[] data = new float[67];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (Math.sin(1.3 * i + 0.2) * Math.pow(10, (i % 7) - 3));
        }
        data[5] = Float.intBitsToFloat(0x3f808000); // exactly halfway between two bf16: rounds to even (down)
        data[6] = Float.intBitsToFloat(0x3f818000); // halfway, the lower neighbour odd: rounds up
        int[] tensors = {4, 0, 2, 1, 3};
        // the block is encoded twice: the second time into the first one's chunks, scribbled over
        // and given back to a pool, as a step reuses the chunks of the last step's removed blocks
        ChunkPool pool = new ChunkPool();
        List<ByteBuffer> first = TensorBlock.encode(
                7, tensors, data, t -> OFFSETS[t], t -> LENGTHS[t], t -> t % 2 == 0, chunkBytes, pool::take);
        for (ByteBuffer c : first) {
            c.clear();
            while (c.hasRemaining()) {
                c.put((byte) 0x7f);
            }
        }
        pool.give(first);
        List<ByteBuffer> chunks = TensorBlock.encode(
                42L << 33, tensors, data, t -> OFFSETS[t], t -> LENGTHS[t], t -> t % 2 == 0, chunkBytes, pool::take);
        assertEquals(0, pool.kept(), "every kept chunk was taken again");
        assertEquals(first.size(), chunks.size());
        java.util.Map<Integer, Integer> ofSize = new java.util.HashMap<>();
        for (int k = 0; k < first.size(); k++) {
            // the pool keeps at most KEPT_PER_SIZE chunks of a size, handed out first in, first out
            if (ofSize.merge(first.get(k).capacity(), 1, Integer::sum) <= ChunkPool.KEPT_PER_SIZE) {
                assertSame(first.get(k), chunks.get(k), "chunk " + k + " reused");
            }
        }
        long bytes = chunks.stream().mapToLong(ByteBuffer::remaining).sum();
        // header 16; per tensor 12 + values: bf16 tensors 4, 0, 2 (16, 7 -> 8 padded, 40); fp32 1, 3
        assertEquals(16 + 5 * 12 + 2 * (16 + 8 + 40) + 4 * (1 + 3), bytes);
        assertTrue(chunks.stream().allMatch(c -> c.remaining() <= chunkBytes));
        float[] got = new float[data.length];
        int[] seen = new int[LENGTHS.length];
        long version = TensorBlock.read(chunks, (t, from, values, n) -> {
            System.arraycopy(values, 0, got, OFFSETS[t] + from, n);
            seen[t] += n;
        });
        assertEquals(42L << 33, version);
        for (int t = 0; t < LENGTHS.length; t++) {
            assertEquals(LENGTHS[t], seen[t], "values of tensor " + t);
            for (int i = OFFSETS[t]; i < OFFSETS[t] + LENGTHS[t]; i++) {
                float want = t % 2 == 0 ? nearestBf16(data[i]) : data[i];
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got[i]), "value " + i);
            }
        }
        assertEquals(0x3f800000, Float.floatToRawIntBits(got[5]));
        assertEquals(0x3f820000, Float.floatToRawIntBits(got[6]));
    }

    @ParameterizedTest(name = "chunks of {0} bytes")
    @ValueSource(ints = {0, 6})
    void chunkSizesThatSplitAWordAreRefused(int chunkBytes) {
        assertThrows(
                IllegalArgumentException.class,
                () -> TensorBlock.encode(
                        1, new int[] {0}, new float[7], t -> 0, t -> 7, t -> true, chunkBytes, ByteBuffer::allocate));
    }

    /**
     * The bf16 nearest to x by comparing x with the two bf16 numbers around it (truncation and the
     * next one up), ties to the one whose last kept bit is zero. Finite x only.
     */
    private static float nearestBf16(float x) {
        int bits = Float.floatToRawIntBits(x);
        float down = Float.intBitsToFloat(bits & 0xffff0000);
        float up = Float.intBitsToFloat((bits & 0xffff0000) + 0x10000);
        double dDown = Math.abs((double) x - down);
        double dUp = Math.abs((double) x - up);
        if (dDown != dUp) {
            return dDown < dUp ? down : up;
        }
        return ((Float.floatToRawIntBits(down) >>> 16) & 1) == 0 ? down : up;
    }
}
