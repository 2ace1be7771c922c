package dev.pacer.transfer;

/**
 * fp32 values on the wire as bfloat16: the upper 16 bits of each float, rounded to nearest with
 * ties to even, so a value keeps 8 significant bits (relative error at most 2^-8) and the full
 * fp32 exponent range (no overflow or underflow to zero where fp16 would). Decoding is exact, and
 * sums are taken in fp32 on the receiving side. Half the bytes of fp32 for gradients and weights
 * sent between the driver and executors.
 */
public final class Bf16Codec {

    private Bf16Codec() {}

    /** The bf16 nearest to {@code value} (ties to even); NaN stays NaN, infinities stay infinite. */
    public static short encode(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            // NaN: keep the sign and make sure a payload bit survives the truncation
            return (short) ((bits >>> 16) | 0x40);
        }
        // adding 0x7fff plus the lowest kept bit rounds to nearest, ties to even; a carry into
        // the exponent is the correct rounding up (to infinity beyond the largest finite value)
        int rounded = bits + 0x7fff + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    /** The float a bf16 value stands for, exactly. */
    public static float decode(short bf16) {
        return Float.intBitsToFloat((bf16 & 0xffff) << 16);
    }

    /** {@code values} encoded element by element. */
    public static short[] encode(float[] values) {
        short[] out = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = encode(values[i]);
        }
        return out;
    }

    /** {@code encoded} decoded to fp32. */
    public static float[] decode(short[] encoded) {
        float[] out = new float[encoded.length];
        for (int i = 0; i < encoded.length; i++) {
            out[i] = decode(encoded[i]);
        }
        return out;
    }

    /** {@code sum[i] += decode(encoded[i])}: accumulation stays fp32. */
    public static void addTo(short[] encoded, float[] sum) {
        if (encoded.length != sum.length) {
            throw new IllegalArgumentException(encoded.length + " encoded values for a sum of " + sum.length);
        }
        for (int i = 0; i < encoded.length; i++) {
            sum[i] += decode(encoded[i]);
        }
    }
}
