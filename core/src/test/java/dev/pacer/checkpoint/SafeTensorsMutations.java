package dev.pacer.checkpoint;

import dev.pacer.fuzz.Fuzz;
import dev.pacer.fuzz.Mutator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/** Fuzz inputs for safetensors files (core's reader, and the checkpoint files built on it). */
public final class SafeTensorsMutations {

    private SafeTensorsMutations() {}

    /**
     * A quarter of the cases are headers whose shapes and offsets agree with each other but
     * promise up to gigabytes of data that is not there; of the rest, half are byte mutations and
     * half mutate the JSON header, re-prefixed with its new length, past the length check.
     */
    public static Function<Mutator, byte[]> headerAware(List<byte[]> seeds) {
        Function<Mutator, byte[]> bytes = Fuzz.mix(seeds, false);
        return m -> {
            if (m.random().nextInt(4) == 0) {
                return promising(m);
            }
            if (m.random().nextBoolean()) {
                return bytes.apply(m);
            }
            byte[] seed = seeds.get(m.random().nextInt(seeds.size()));
            int headerLength = (int)
                    ByteBuffer.wrap(seed, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            byte[] header = m.mutateJson(Arrays.copyOfRange(seed, 8, 8 + headerLength));
            byte[] data = Arrays.copyOfRange(seed, 8 + headerLength, seed.length);
            ByteBuffer out =
                    ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
            return out.putLong(header.length).put(header).put(data).array();
        };
    }

    private static final long[] DIMENSIONS = {0, 1, 3, 1000, 1 << 20, 1 << 28, (1L << 31) - 9, 1L << 31};

    /** Consistent tensor entries of boundary sizes followed by at most 64 bytes of data. */
    private static byte[] promising(Mutator m) {
        StringBuilder h = new StringBuilder("{");
        long offset = 0;
        for (int t = 0, n = 1 + m.random().nextInt(3); t < n; t++) {
            long d0 = DIMENSIONS[m.random().nextInt(DIMENSIONS.length)];
            long d1 = m.random().nextBoolean() ? 1 : DIMENSIONS[m.random().nextInt(4)];
            long end = offset + d0 * d1 * Float.BYTES;
            h.append(t == 0 ? "" : ",")
                    .append("\"t")
                    .append(t)
                    .append("\":{\"dtype\":\"F32\",\"shape\":[")
                    .append(d0)
                    .append(',')
                    .append(d1)
                    .append("],\"data_offsets\":[")
                    .append(offset)
                    .append(',')
                    .append(end)
                    .append("]}");
            offset = end;
        }
        byte[] header = h.append('}').toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] data = new byte[m.random().nextInt(65)];
        return ByteBuffer.allocate(8 + header.length + data.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length)
                .put(header)
                .put(data)
                .array();
    }
}
