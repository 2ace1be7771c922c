package dev.pacer.data.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invalid UTF-8 and NUL bytes are counted truthfully (sequences, bytes, records), and a file
 * whose share of them is over {@code pacer.data.max-non-text-fraction} is recorded as not text.
 * Expected counts come from the JDK's replacing decoder over the whole file (one U+FFFD per
 * malformed sequence) and a plain count of zero bytes, not from the code under test.
 */
class NonTextInputTest {

    private static final double LIMIT = 0.05;

    @TempDir
    Path dir;

    private final Configuration conf = new Configuration();

    private record Read(List<String> docs, SourceCounts counts) {}

    private Read read(Path file, Utf8Policy policy) {
        List<String> docs = new ArrayList<>();
        SourceCounts counts = new SourceCounts();
        ReadOptions options = new ReadOptions(TextUnit.LINE, "text", policy, LIMIT);
        RecordCollector c = new RecordCollector(options, counts, docs::add);
        for (InputUnit u : InputResolver.resolve(List.of(file.toString()), SourceFormat.AUTO, conf)) {
            DocumentReader.read(u, options, conf, c);
        }
        return new Read(docs, counts);
    }

    private static long replacementCharacters(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8)
                .chars()
                .filter(ch -> ch == 0xFFFD)
                .count();
    }

    private static long zeros(byte[] bytes) {
        long n = 0;
        for (byte b : bytes) {
            n += b == 0 ? 1 : 0;
        }
        return n;
    }

    /** Bytes of the records: the file less its line ends, LF or CR LF (no fixture starts with a BOM). */
    private static long recordBytes(byte[] bytes) {
        long n = bytes.length;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                n -= i > 0 && bytes[i - 1] == '\r' ? 2 : 1;
            }
        }
        return n;
    }

    @Test
    void randomBytesAreCountedAndTheFileIsNotText() throws Exception {
        byte[] bytes = new byte[100_000];
        new Random(16).nextBytes(bytes);
        Path f = Files.write(dir.resolve("random.txt"), bytes);
        Read r = read(f, Utf8Policy.REPLACE);
        SourceCounts.ByteCounts t = r.counts().text();
        assertEquals(recordBytes(bytes), t.bytes());
        assertEquals(replacementCharacters(bytes), t.invalidUtf8Sequences());
        assertEquals(zeros(bytes), t.nulBytes());
        // about half of random bytes are 0x80-0xFF, nearly all of them in no valid sequence
        assertTrue(t.nonTextFraction() > 0.3 && t.nonTextFraction() < 0.6, t.toString());
        assertEquals(1, r.counts().nonTextFiles());
        SourceCounts.ByteCounts file = r.counts().nonTextExamples().get(0);
        assertTrue(file.file().endsWith("random.txt"), file.file());
        assertEquals(t.invalidUtf8Sequences(), file.invalidUtf8Sequences());
        // every record with a U+FFFD the file did not hold is counted as replaced, not 0
        long recordsWithInvalid =
                r.docs().stream().filter(d -> d.indexOf('\uFFFD') >= 0).count();
        assertEquals(recordsWithInvalid, r.counts().utf8Replaced());
        assertEquals(recordsWithInvalid, r.counts().invalidUtf8Records());
        assertTrue(file.describe().contains("invalid UTF-8 sequences")
                && file.describe().contains("NUL"));
    }

    @Test
    void binaryLookingFilesAreNotText() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            text.append("an English sentence, number ").append(i).append('\n');
        }
        // UTF-16 text: valid UTF-8 byte for byte, but every other byte is NUL
        byte[] utf16 = text.toString().getBytes(StandardCharsets.UTF_16LE);
        Read r = read(Files.write(dir.resolve("notes-utf16.txt"), utf16), Utf8Policy.REPLACE);
        assertEquals(zeros(utf16), r.counts().text().nulBytes());
        assertEquals(1, r.counts().nonTextFiles());
        // a compressed file without the extension that says so: a binary mistaken for text
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream z = new GZIPOutputStream(gz)) {
            z.write(text.toString().getBytes(StandardCharsets.UTF_8));
        }
        r = read(Files.write(dir.resolve("archive.txt"), gz.toByteArray()), Utf8Policy.SKIP);
        assertEquals(1, r.counts().nonTextFiles());
        assertEquals(replacementCharacters(gz.toByteArray()), r.counts().text().invalidUtf8Sequences());
        assertTrue(r.counts().skipped(SkipReason.INVALID_UTF8) > 0);
    }

    @Test
    void aFewBadBytesInTextAreCountedAndReplacedNotRefused() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < 500; i++) {
            b.write(("line " + i + " of ordinary text, caf\u00e9 and na\u00efve included")
                    .getBytes(StandardCharsets.UTF_8));
            if (i % 200 == 7) {
                b.write(new byte[] {(byte) 0xE9, ' ', (byte) 0xFF}); // Latin-1 é and a stray byte
            }
            b.write('\n');
        }
        byte[] bytes = b.toByteArray();
        Read r = read(Files.write(dir.resolve("mostly.txt"), bytes), Utf8Policy.REPLACE);
        assertEquals(500, r.docs().size());
        assertEquals(3, r.counts().utf8Replaced());
        assertEquals(6, r.counts().text().invalidUtf8Sequences());
        assertEquals(6, r.counts().text().invalidUtf8Bytes());
        assertEquals(recordBytes(bytes), r.counts().text().bytes());
        assertEquals(0, r.counts().nonTextFiles());
        assertTrue(r.docs().get(7).endsWith("\uFFFD \uFFFD"), r.docs().get(7));
    }

    @Test
    void countsSurviveMergingAcrossTasks() {
        SourceCounts a = new SourceCounts();
        a.file(new SourceCounts.ByteCounts("a", 100, 2, 3, 1), false);
        SourceCounts b = new SourceCounts();
        b.file(new SourceCounts.ByteCounts("b", 10, 5, 6, 0), true);
        SourceCounts.ByteCounts t = a.merge(b).text();
        assertEquals(
                List.of(110L, 7L, 9L, 1L),
                List.of(t.bytes(), t.invalidUtf8Sequences(), t.invalidUtf8Bytes(), t.nulBytes()));
        assertEquals(1, a.nonTextFiles());
        assertEquals("b", a.nonTextExamples().get(0).file());
    }
}
