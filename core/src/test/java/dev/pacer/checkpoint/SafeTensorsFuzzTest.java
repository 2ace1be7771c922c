package dev.pacer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.fuzz.Fuzz;
import dev.pacer.fuzz.Mutator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random and mutated safetensors files, read from a stream (size unknown, as checkpoints are
 * read) and from a file (size known): each is refused with a one-line {@link
 * CheckpointFormatException} or read, both ways alike, and no header makes the reader allocate
 * more than the file could hold.
 */
class SafeTensorsFuzzTest {

    private static final int CASES = 600;

    @TempDir
    Path dir;

    private static byte[] seed(List<NamedTensor> tensors, Map<String, String> meta) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafeTensors.write(out, tensors, meta);
        return out.toByteArray();
    }

    /**
     * A quarter of the cases are headers whose shapes and offsets agree with each other but
     * promise up to gigabytes of data that is not there; of the rest, half are byte mutations and
     * half mutate the JSON header, re-prefixed with its new length, past the length check.
     */
    private static Function<Mutator, byte[]> headerAware(List<byte[]> seeds) {
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

    @Test
    void everyDamagedFileIsRefusedInOneLineOrRead() throws IOException {
        float[] six = {1, 2, 3, 4, 5, 6};
        List<byte[]> seeds = List.of(
                seed(
                        List.of(
                                new NamedTensor("h.0.attn.c_attn.weight", new long[] {2, 3}, six),
                                new NamedTensor("ln_f.bias", new long[] {2}, new float[] {0.5f, -0.5f})),
                        Map.of("format", "pacer-checkpoint-1", "step", "40")),
                seed(
                        List.of(
                                new NamedTensor("scalar", new long[] {}, new float[] {7}),
                                new NamedTensor("empty", new long[] {0, 4}, new float[0])),
                        null));
        Path file = dir.resolve("model.safetensors");
        Fuzz.Summary s = Fuzz.run(
                "safetensors",
                16,
                CASES,
                headerAware(seeds),
                input -> {
                    Files.write(file, input);
                    boolean fromStream = readable(() -> SafeTensors.read(new ByteArrayInputStream(input), "m"));
                    boolean fromFile = readable(() -> SafeTensors.read(file));
                    if (fromStream != fromFile) {
                        throw new AssertionError("read from a stream: " + fromStream + ", from the file: " + fromFile);
                    }
                    if (!fromFile) {
                        SafeTensors.read(file); // throws the refusal for the tally
                    }
                    return 0;
                },
                CheckpointFormatException.class);
        assertEquals(List.of(), s.crashes());
        assertTrue(s.refused() > CASES / 2 && s.read() > 0, s.line());
    }

    private interface Read {
        SafeTensors.Contents run() throws IOException;
    }

    private static boolean readable(Read r) throws IOException {
        try {
            r.run();
            return true;
        } catch (CheckpointFormatException e) {
            return false;
        }
    }
}
