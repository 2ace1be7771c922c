package dev.pacer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenPackingTest {

    private final ByteTokenizer tokenizer = new ByteTokenizer();

    @Test
    void byteTokenizerRoundTripsAnyText() {
        String text = "Straße – ευρωπαϊκή 議会 🙂";
        int[] ids = tokenizer.encode(text);
        assertEquals(text.getBytes(StandardCharsets.UTF_8).length, ids.length);
        assertEquals(text, tokenizer.decode(ids));
        assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[] {300}));
    }

    @Test
    void packsDocumentsWithEndTokensIntoWholeSequences() {
        TokenPacker packer = new TokenPacker(4, ByteTokenizer.END_OF_DOCUMENT);
        packer.add(new int[] {1, 2, 3});
        packer.add(new int[] {4, 5});
        packer.add(new int[] {6});
        // stream: 1 2 3 E 4 5 E 6 E  -> two sequences of 4, one token left over
        TokenBlock block = packer.build();
        assertEquals(2, block.sequenceCount());
        assertEquals(3, block.documents());
        assertEquals(1, block.droppedTailTokens());
        assertArrayEquals(new int[] {1, 2, 3, 256}, block.sequence(0));
        assertArrayEquals(new int[] {4, 5, 256, 6}, block.sequence(1));
    }

    @Test
    void sampleIsDeterministicInItsSeed() {
        TokenPacker packer = new TokenPacker(3, ByteTokenizer.END_OF_DOCUMENT);
        for (int i = 0; i < 50; i++) {
            packer.add(new int[] {i, i + 1});
        }
        TokenBlock block = packer.build();
        List<int[]> a = block.sample(42, 8);
        List<int[]> b = block.sample(42, 8);
        List<int[]> c = block.sample(43, 8);
        for (int i = 0; i < 8; i++) {
            assertArrayEquals(a.get(i), b.get(i));
        }
        boolean differs = false;
        for (int i = 0; i < 8; i++) {
            differs |= !java.util.Arrays.equals(a.get(i), c.get(i));
        }
        assertTrue(differs);
    }

    @Test
    void splitIsByDocumentAndNearTheRequestedFraction() {
        DocumentSplit split = new DocumentSplit(0.1);
        int held = 0;
        for (int i = 0; i < 20_000; i++) {
            String doc = "document number " + i;
            assertEquals(split.isValidation(doc), split.isValidation(new String(doc)));
            held += split.isValidation(doc) ? 1 : 0;
        }
        // binomial(20000, 0.1): std 42; 5 std either side
        assertEquals(2000, held, 212);
        assertThrows(IllegalArgumentException.class, () -> new DocumentSplit(0));
    }

    @Test
    void europarlLinesBecomeTitleAndBodyAndBlankLinesAreCounted() throws Exception {
        String corpus = "(1)\t2004-03-30\tFirst body.\n\n   \nplain line\n";
        List<String> docs = new ArrayList<>();
        LineDocuments.Counts counts = LineDocuments.read(
                new ByteArrayInputStream(corpus.getBytes(StandardCharsets.UTF_8)), (d, i) -> docs.add(d));
        assertEquals(List.of("(1)\nFirst body.", "plain line"), docs);
        assertEquals(2, counts.documents());
        assertEquals(2, counts.blankLines());
    }

    @Test
    void invalidUtf8IsReplacedAndCounted() throws Exception {
        byte[] bad = {'o', 'k', '\n', 'b', (byte) 0xC3, (byte) 0x28, 'x', '\n'};
        List<String> docs = new ArrayList<>();
        LineDocuments.Counts counts = LineDocuments.read(new ByteArrayInputStream(bad), (d, i) -> docs.add(d));
        assertEquals(2, docs.size());
        assertEquals(1, counts.linesWithInvalidUtf8());
        assertTrue(docs.get(1).contains("\uFFFD"));
    }

    @Test
    void bundledCorpusPartitionsCoverEveryDocumentAndDecodeBack() throws Exception {
        DocumentSplit split = new DocumentSplit(0.02);
        int partitions = 3;
        long docs = 0;
        long tokens = 0;
        long dropped = 0;
        for (int p = 0; p < partitions; p++) {
            CorpusPartition part = CorpusPartition.load(BundledCorpus.open(), p, partitions, 129, split, 300);
            docs += part.train().documents() + part.validation().documents();
            tokens += part.train().tokenCount() + part.validation().tokenCount();
            dropped += part.train().droppedTailTokens() + part.validation().droppedTailTokens();
            assertEquals(17_597, part.counts().documents());
        }
        assertEquals(300, docs);
        // independent count: UTF-8 bytes of the first 300 documents plus one end token each
        long expected = 0;
        List<String> first = new ArrayList<>();
        LineDocuments.read(BundledCorpus.open(), (d, i) -> {
            if (i < 300) {
                first.add(d);
            }
        });
        for (String d : first) {
            expected += d.getBytes(StandardCharsets.UTF_8).length + 1;
        }
        assertEquals(expected, tokens + dropped);
        // round trip: partition 0's training stream decodes to its documents, in order
        CorpusPartition p0 = CorpusPartition.load(BundledCorpus.open(), 0, partitions, 129, split, 300);
        // decode the whole stream at once: sequences may cut a multi-byte character in two
        int len = p0.train().sequenceLength();
        int[] stream = new int[p0.train().sequenceCount() * len];
        for (int i = 0; i < p0.train().sequenceCount(); i++) {
            System.arraycopy(p0.train().sequence(i), 0, stream, i * len, len);
        }
        String decoded = tokenizer.decode(stream);
        StringBuilder want = new StringBuilder();
        for (int i = 0; i < first.size(); i += partitions) {
            if (!split.isValidation(first.get(i))) {
                want.append(first.get(i)).append('\n');
            }
        }
        // the stream may end inside a multi-byte character: compare up to the last newline
        String whole = decoded.substring(0, decoded.lastIndexOf('\n') + 1);
        assertTrue(whole.length() > 0 && want.toString().startsWith(whole));
        assertTrue(want.length() - decoded.length() < 129 * 4); // only the packed tail is missing
    }
}
