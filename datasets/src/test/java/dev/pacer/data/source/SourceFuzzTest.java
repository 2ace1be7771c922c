package dev.pacer.data.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.data.CorpusException;
import dev.pacer.fuzz.Fuzz;
import dev.pacer.fuzz.Mutator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random and mutated bytes into every source format the datasets module reads (text by line and
 * by file, gzip-compressed text, JSON Lines, a Hugging Face save_to_disk directory's Arrow
 * streams and its state.json): each case is refused with a one-line {@link CorpusException} or
 * read, with what it skipped counted; a file that is mostly not text counts as skipped too.
 */
class SourceFuzzTest {

    private static final int CASES = 300;

    @TempDir
    Path dir;

    private final Configuration conf = new Configuration();

    /** Reads {@code file} as {@code format}; returns the records skipped plus non-text files. */
    private long read(Path file, SourceFormat format, TextUnit unit) {
        ReadOptions options = new ReadOptions(unit, "text", Utf8Policy.REPLACE, 0.05);
        SourceCounts counts = new SourceCounts();
        RecordCollector c = new RecordCollector(options, counts, doc -> {});
        for (InputUnit u : InputResolver.resolve(List.of(file.toString()), format, conf)) {
            DocumentReader.read(u, options, conf, c);
        }
        assertEquals(
                counts.records(),
                counts.documents()
                        + java.util.Arrays.stream(SkipReason.values())
                                .mapToLong(counts::skipped)
                                .sum());
        return counts.records() - counts.documents() + counts.nonTextFiles();
    }

    private Fuzz.Summary fuzz(String format, long seed, List<byte[]> seeds, boolean json, Fuzz.Target<byte[]> target) {
        return Fuzz.run(format, seed, CASES, Fuzz.mix(seeds, json), target, CorpusException.class);
    }

    private static void assertClean(Fuzz.Summary s) {
        assertEquals(List.of(), s.crashes(), s.line());
        assertEquals(s.cases(), s.refused() + s.read(), s.line());
    }

    private static final String TEXT = "first document line\nsecond, with caf\u00e9 and \u6771\u4eac\n\n"
            + "\uFEFFa BOM in the middle\r\nlast line without newline";

    @Test
    void text() {
        Path f = dir.resolve("corpus.txt");
        List<byte[]> seeds = List.of(TEXT.getBytes(StandardCharsets.UTF_8));
        assertClean(fuzz("text", 1, seeds, false, in -> read(Files.write(f, in), SourceFormat.TEXT, TextUnit.LINE)));
        assertClean(fuzz(
                "text (one document a file)",
                2,
                seeds,
                false,
                in -> read(Files.write(f, in), SourceFormat.TEXT, TextUnit.FILE)));
    }

    @Test
    void gzipText() throws IOException {
        Path f = dir.resolve("corpus.txt.gz");
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream z = new GZIPOutputStream(gz)) {
            z.write(TEXT.repeat(20).getBytes(StandardCharsets.UTF_8));
        }
        Fuzz.Summary s = fuzz(
                "text.gz",
                3,
                List.of(gz.toByteArray()),
                false,
                in -> read(Files.write(f, in), SourceFormat.AUTO, TextUnit.LINE));
        assertClean(s);
        assertTrue(s.refused() > 0, s.line()); // a damaged gzip stream is refused, not read short
    }

    @Test
    void jsonLines() {
        Path f = dir.resolve("corpus.jsonl");
        String lines =
                "{\"text\": \"a document\", \"id\": 1}\n{\"text\": \"caf\u00e9 \u6771\u4eac\", \"meta\": {\"x\": [1, 2]}}\n"
                        + "{\"text\": null}\n{\"id\": 3}\n\n";
        List<byte[]> seeds =
                List.of(lines.getBytes(StandardCharsets.UTF_8), "{\"text\": \"one\"}".getBytes(StandardCharsets.UTF_8));
        // JSON mutations work on one document at a time: the single-object seed takes them
        assertClean(fuzz("jsonl", 4, seeds, true, in -> read(Files.write(f, in), SourceFormat.JSONL, TextUnit.LINE)));
    }

    @Test
    void huggingFaceArrowStreams() throws IOException {
        Path hf = Fixtures.huggingFaceDataset(
                dir.resolve("hf"), List.of(List.of("arrow one", "arrow two", "caf\u00e9"), List.of("three")));
        Path data = hf.resolve("data-00000-of-00002.arrow");
        List<byte[]> seeds = List.of(Files.readAllBytes(data));
        // more cases than the other formats: Arrow's framing, flatbuffer metadata and buffers
        // give the most ways to go wrong (seed 100 found a crash at case 947, seed 103 one at 107)
        long[][] seedsAndCases = {{100, 1000}, {103, 200}};
        for (long[] run : seedsAndCases) {
            long seed = run[0];
            Fuzz.Summary s = Fuzz.run(
                    "huggingface arrow (seed " + seed + ")",
                    seed,
                    (int) run[1],
                    Fuzz.mix(seeds, false),
                    in -> {
                        Files.write(data, in);
                        return read(hf, SourceFormat.AUTO, TextUnit.LINE);
                    },
                    CorpusException.class);
            assertClean(s);
            assertTrue(s.refused() > s.cases() / 2, s.line());
        }
    }

    @Test
    void huggingFaceStateJson() throws IOException {
        Path hf = Fixtures.huggingFaceDataset(dir.resolve("hf"), List.of(List.of("a", "b"), List.of("c")));
        Path state = hf.resolve("state.json");
        Function<Mutator, byte[]> inputs = Fuzz.mix(List.of(Files.readAllBytes(state)), true);
        Fuzz.Summary s = Fuzz.run(
                "huggingface state.json",
                6,
                CASES,
                inputs,
                in -> {
                    Files.write(state, in);
                    return read(hf, SourceFormat.AUTO, TextUnit.LINE);
                },
                CorpusException.class);
        assertClean(s);
    }
}
