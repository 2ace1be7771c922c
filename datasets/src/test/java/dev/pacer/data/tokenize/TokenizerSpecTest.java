package dev.pacer.data.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.data.CorpusException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerSpecTest {

    @TempDir
    Path dir;

    private final Configuration conf = new Configuration();

    private TokenizerSpec fromFile(byte[] json, String eod) throws Exception {
        Path p = dir.resolve("tokenizer.json");
        Files.write(p, json);
        return TokenizerSpec.resolve(p.toString(), eod, conf);
    }

    @Test
    void byteLevelBpeRoundTripsAnyTextAndMerges() throws Exception {
        TokenizerSpec spec = fromFile(TestTokenizers.bytePairEncoding(), "");
        assertEquals("BPE", spec.model());
        assertEquals(256 + TestTokenizers.MERGES.size() + 1, spec.vocabSize());
        assertEquals(spec.vocabSize() - 1, spec.endOfDocument());
        assertEquals("<|endoftext|>", spec.endOfDocumentToken());
        assertEquals(64, spec.sha256().length());
        TextTokenizer t = spec.open();
        String text = "the house voted on the report. Straße – ευρωπαϊκή 議会 🙂\n\ttabs  and spaces ";
        int[] ids = t.encode(text);
        assertTrue(ids.length < text.getBytes(StandardCharsets.UTF_8).length, "merges should shorten the text");
        for (int id : ids) {
            assertTrue(id >= 0 && id < spec.vocabSize() - 1, "id " + id);
        }
        assertEquals(text, t.decode(ids));
        // merges apply in priority order: " the" -> Ġt + he -> Ġthe (id 258)
        assertArrayEquals(new int[] {258}, t.encode(" the"));
    }

    @Test
    void longDocumentsAreNeverTruncated() throws Exception {
        TextTokenizer t = fromFile(TestTokenizers.bytePairEncoding(), "").open();
        String text = "the parliament voted again and again on the same report, ".repeat(400);
        int[] ids = t.encode(text);
        assertTrue(ids.length > 5000, "only " + ids.length + " ids");
        assertEquals(text, t.decode(ids));
    }

    @Test
    void wordPieceAndUnigramLoadAndStayInsideTheirVocabularies() throws Exception {
        TokenizerSpec wp = fromFile(TestTokenizers.wordPiece(), "");
        assertEquals("WordPiece", wp.model());
        assertEquals("[SEP]", wp.endOfDocumentToken());
        int[] ids = wp.open().encode("The houses vote, in parliament.");
        assertArrayEquals(new int[] {2, 4, 6, 7, 9, 10, 5, 8}, ids);

        TokenizerSpec uni = fromFile(TestTokenizers.unigram(), "");
        assertEquals("Unigram", uni.model());
        assertEquals(1, uni.endOfDocument());
        assertEquals(5 + 26, uni.vocabSize());
        for (int id : uni.open().encode("the vote is cast")) {
            assertTrue(id > 1 && id < uni.vocabSize(), "id " + id);
        }
    }

    @Test
    void endOfDocumentTokenCanBeNamed() throws Exception {
        TokenizerSpec wp = fromFile(TestTokenizers.wordPiece(), "[UNK]");
        assertEquals(0, wp.endOfDocument());
        String m = assertThrows(CorpusException.class, () -> fromFile(TestTokenizers.wordPiece(), "<eot>"))
                .getMessage();
        assertTrue(m.contains("pacer.data.end-of-document") && m.contains("<eot>"), m);
        assertThrows(CorpusException.class, () -> TokenizerSpec.resolve("byte", "</s>", conf));
    }

    @Test
    void unreadableTokenizerFilesAreNamed() throws Exception {
        String missing = dir.resolve("nope/tokenizer.json").toString();
        String m = assertThrows(CorpusException.class, () -> TokenizerSpec.resolve(missing, "", conf))
                .getMessage();
        assertTrue(m.contains(missing) && m.contains("pacer.data.tokenizer"), m);

        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0");
        m = assertThrows(CorpusException.class, () -> TokenizerSpec.resolve(broken.toString(), "", conf))
                .getMessage();
        assertTrue(m.contains("broken.json") && m.contains("not valid JSON"), m);

        Path noModel = dir.resolve("nomodel.json");
        Files.writeString(noModel, "{\"version\": \"1.0\"}");
        m = assertThrows(CorpusException.class, () -> TokenizerSpec.resolve(noModel.toString(), "", conf))
                .getMessage();
        assertTrue(m.contains("nomodel.json") && m.contains("model"), m);

        // valid JSON with a model the library rejects (merges naming unknown tokens)
        Path bad = dir.resolve("badmerges.json");
        Files.writeString(
                bad,
                new String(TestTokenizers.bytePairEncoding(), StandardCharsets.UTF_8).replace("\"Ġ t\"", "\"zz qq\""));
        m = assertThrows(CorpusException.class, () -> TokenizerSpec.resolve(bad.toString(), "", conf))
                .getMessage();
        assertTrue(m.contains("badmerges.json") && m.contains("cannot load"), m);
    }

    @Test
    void vocabulariesBeyondSixteenBitsAreRefused() throws Exception {
        String m = assertThrows(CorpusException.class, () -> fromFile(TestTokenizers.wordLevel(70_000), ""))
                .getMessage();
        assertTrue(m.contains("70000") && m.contains("16 bits"), m);
    }
}
