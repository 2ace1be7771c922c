package dev.pacer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.fuzz.Fuzz;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
                SafeTensorsMutations.headerAware(seeds),
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
