package dev.pacer.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Bf16CodecTest {

    /** Bit patterns written out by hand from the IEEE layouts (sign, 8 exponent bits, mantissa). */
    @Test
    void knownValuesEncodeToTheirBitPatterns() {
        assertEquals((short) 0x3f80, Bf16Codec.encode(1.0f));
        assertEquals((short) 0xc000, Bf16Codec.encode(-2.0f));
        assertEquals((short) 0x8000, Bf16Codec.encode(-0.0f));
        assertEquals((short) 0x7f80, Bf16Codec.encode(Float.POSITIVE_INFINITY));
        assertEquals((short) 0xff80, Bf16Codec.encode(Float.NEGATIVE_INFINITY));
        // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: ties go to the even mantissa (1)
        assertEquals((short) 0x3f80, Bf16Codec.encode(Float.intBitsToFloat(0x3f808000)));
        // 1 + 3 * 2^-8 lies halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even)
        assertEquals((short) 0x3f82, Bf16Codec.encode(Float.intBitsToFloat(0x3f818000)));
        // just above the halfway point rounds up
        assertEquals((short) 0x3f81, Bf16Codec.encode(Float.intBitsToFloat(0x3f808001)));
        // the largest float is beyond the largest bf16 plus half its spacing: infinity
        assertEquals((short) 0x7f80, Bf16Codec.encode(Float.MAX_VALUE));
        assertEquals(0f, Bf16Codec.decode(Bf16Codec.encode(Float.MIN_VALUE)));
        assertTrue(Float.isNaN(Bf16Codec.decode(Bf16Codec.encode(Float.NaN))));
        // a NaN whose payload sits in the dropped bits must not become infinity
        assertTrue(Float.isNaN(Bf16Codec.decode(Bf16Codec.encode(Float.intBitsToFloat(0x7f800001)))));
        assertEquals(1.0f, Bf16Codec.decode((short) 0x3f80));
        assertEquals(-2.0f, Bf16Codec.decode((short) 0xc000));
    }

    /**
     * Against a direct reading of round-to-nearest-even: of the two bf16 neighbours of x (its
     * truncation and the next value away from zero) take the nearer, on a tie the even one. Past
     * the largest bf16 the next value is infinity, which IEEE rounding treats as 2^128.
     */
    @Test
    void randomFloatsRoundToTheNearerNeighbourTiesToEven() {
        SplittableRandom random = new SplittableRandom(7);
        for (int n = 0; n < 200_000; n++) {
            float x = Float.intBitsToFloat(random.nextInt());
            if (Float.isNaN(x) || Float.isInfinite(x)) {
                continue;
            }
            int bits = Float.floatToRawIntBits(x);
            int down = bits & 0xffff0000;
            int up = down + 0x10000;
            double distDown = Math.abs((double) x - Float.intBitsToFloat(down));
            float upValue = Float.intBitsToFloat(up);
            double distUp = Math.abs((double) x - (Float.isInfinite(upValue) ? Math.copySign(0x1p128, x) : upValue));
            int want;
            if (distDown != distUp) {
                want = distDown < distUp ? down : up;
            } else {
                want = ((down >>> 16) & 1) == 0 ? down : up;
            }
            assertEquals((short) (want >>> 16), Bf16Codec.encode(x), Float.toString(x));
        }
    }

    @Test
    void relativeErrorOfNormalNumbersIsAtMostTwoToTheMinusEight() {
        SplittableRandom random = new SplittableRandom(11);
        for (int n = 0; n < 100_000; n++) {
            float x = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-30, 30)));
            if (Math.abs(x) < Float.MIN_NORMAL) {
                continue;
            }
            float back = Bf16Codec.decode(Bf16Codec.encode(x));
            assertTrue(Math.abs(back - (double) x) <= Math.abs((double) x) * 0x1p-8, x + " -> " + back);
        }
    }

    @Test
    void arraysRoundTripAndSumsStayFp32() {
        float[] values = {0.1f, -3.5f, 1e-20f, 6.5e4f};
        short[] encoded = Bf16Codec.encode(values);
        float[] decoded = Bf16Codec.decode(encoded);
        for (int i = 0; i < values.length; i++) {
            assertEquals(Bf16Codec.decode(Bf16Codec.encode(values[i])), decoded[i]);
        }
        assertArrayEquals(encoded, Bf16Codec.encode(decoded), "bf16 values encode to themselves");
        // 257 has no bf16 (spacing 2 above 256): an fp32 sum holds it, a bf16 one could not
        float[] sum = {256f, 0f};
        Bf16Codec.addTo(Bf16Codec.encode(new float[] {1f, 0.5f}), sum);
        assertArrayEquals(new float[] {257f, 0.5f}, sum);
        assertThrows(IllegalArgumentException.class, () -> Bf16Codec.addTo(new short[3], sum));
    }
}
