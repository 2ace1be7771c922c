package dev.pacer.data.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.data.ByteTokenizer;
import dev.pacer.data.CorpusException;
import dev.pacer.data.shard.PreparedDataset;
import dev.pacer.data.shard.TestDatasets;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bytes each token stands for, special tokens, and tokenizer copies checked against their record. */
class TokenBytesTest {

    @TempDir
    Path dir;

    private final Configuration conf = new Configuration();

    /** 2-, 3- and 4-byte characters, so that byte-level tokens split some of them. */
    private static final String TEXT = "Grüße aus Köln – ευρωπαϊκή 議会 🙂, the Commission's report.\n\tNext";

    private TokenizerSpec trained() throws Exception {
        Path p = TestTokenizers.writeTrainedBytePairEncoding(dir.resolve("bpe.json"));
        return TokenizerSpec.resolve(p.toString(), "", conf);
    }

    private static byte[] concat(TextTokenizer t, int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) {
            out.writeBytes(t.tokenBytes(id));
        }
        return out.toByteArray();
    }

    private static boolean isUtf8(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    @Test
    void byteLevelBpeTokensConcatenateToTheTextEvenWhereACharacterIsSplit() throws Exception {
        TokenizerSpec spec = trained();
        assertEquals(256 + TestTokenizers.TRAINED_MERGES + 1, spec.vocabSize());
        TextTokenizer t = spec.open();
        assertTrue(t.byteLevel());
        int[] ids = t.encode(TEXT);
        assertTrue(ids.length < TEXT.getBytes(StandardCharsets.UTF_8).length / 2 + 40, "merges apply: " + ids.length);
        // the Rust library's encoding, read back through Pacer's byte table
        assertArrayEquals(TEXT.getBytes(StandardCharsets.UTF_8), concat(t, ids));
        assertArrayEquals(TEXT.getBytes(StandardCharsets.UTF_8), t.render(ids));
        long split = java.util.Arrays.stream(ids)
                .filter(id -> !isUtf8(t.tokenBytes(id)))
                .count();
        assertTrue(split >= 2, "some characters span tokens: " + split);
    }

    @Test
    void specialTokensStandForNoBytesAndAreRenderedByName() throws Exception {
        TextTokenizer t = trained().open();
        int eod = t.endOfDocument();
        assertEquals("<|endoftext|>", t.specialToken(eod));
        assertEquals(0, t.tokenBytes(eod).length);
        assertNull(t.specialToken(t.encode("a")[0]));
        int[] ids = t.encode("ab");
        int[] withEnd = java.util.Arrays.copyOf(ids, ids.length + 1);
        withEnd[ids.length] = eod;
        assertEquals("ab<|endoftext|>", new String(t.render(withEnd), StandardCharsets.UTF_8));
        String m = assertThrows(IllegalArgumentException.class, () -> t.tokenBytes(eod + 1))
                .getMessage();
        assertTrue(m.contains(String.valueOf(eod + 1)) && m.contains("0.." + eod), m);
        assertThrows(IllegalArgumentException.class, () -> t.specialToken(-1));

        ByteTokenizer bytes = new ByteTokenizer();
        assertArrayEquals(new byte[] {(byte) 0xC3}, bytes.tokenBytes(0xC3));
        assertEquals(0, bytes.tokenBytes(256).length);
        assertEquals("<|endoftext|>", bytes.specialToken(256));
        assertTrue(bytes.byteLevel());
        assertThrows(IllegalArgumentException.class, () -> bytes.tokenBytes(257));
    }

    @Test
    void tokenizersThatAreNotByteLevelSaySo() throws Exception {
        Path wp = Files.write(dir.resolve("wp.json"), TestTokenizers.wordPiece());
        TextTokenizer t = TokenizerSpec.resolve(wp.toString(), "", conf).open();
        assertFalse(t.byteLevel());
        assertEquals("[SEP]", t.specialToken(1));
        assertArrayEquals("house".getBytes(StandardCharsets.UTF_8), t.tokenBytes(4));
    }

    @Test
    void idsThatAreNegativeOrNotIntegersAreRefused() throws Exception {
        String json = new String(TestTokenizers.bytePairEncoding(), StandardCharsets.UTF_8);
        for (String bad : List.of("\"Ġt\":-3", "\"Ġt\":2.5", "\"Ġt\":\"x\"")) {
            Path p = Files.writeString(dir.resolve("bad.json"), json.replaceFirst("\"Ġt\":\\d+", bad));
            String m = assertThrows(CorpusException.class, () -> TokenizerSpec.resolve(p.toString(), "", conf))
                    .getMessage();
            assertTrue(m.contains("bad.json") && m.contains("'Ġt'") && m.contains("integers from 0"), m);
        }
    }

    @Test
    void aCopyMustBeTheTokenizerItsRecordNames() throws Exception {
        TokenizerSpec spec = trained();
        TokenizerSpec back = TokenizerSpec.fromCopy("copy.json", spec.jsonBytes(), spec.info());
        assertEquals(spec.sha256(), back.sha256());
        byte[] other = TestTokenizers.bytePairEncoding();
        String m = assertThrows(CorpusException.class, () -> TokenizerSpec.fromCopy("copy.json", other, spec.info()))
                .getMessage();
        assertTrue(m.contains("copy.json") && m.contains(spec.sha256().substring(0, 12)), m);
        assertTrue(m.contains(TokenizerSpec.sha256(other).substring(0, 12)), "both sides named: " + m);
    }

    @Test
    void aPreparedDatasetGivesBackItsTokenizerFromTheCopy() throws Exception {
        TokenizerSpec spec = trained();
        Path out = Files.createDirectories(dir.resolve("ds"));
        PreparedDataset ds = TestDatasets.write(out, List.of("one document", "and another one"), spec, 1, 4, 0.3);
        assertEquals(spec.sha256(), ds.tokenizer(conf).sha256());
        Files.write(out.resolve(PreparedDataset.TOKENIZER_FILE), TestTokenizers.bytePairEncoding());
        String m = assertThrows(CorpusException.class, () -> ds.tokenizer(conf)).getMessage();
        assertTrue(m.contains("tokenizer.json") && m.contains("recorded as"), m);
        Files.delete(out.resolve(PreparedDataset.TOKENIZER_FILE));
        m = assertThrows(CorpusException.class, () -> ds.tokenizer(conf)).getMessage();
        assertTrue(m.contains("missing") && m.contains(spec.sha256().substring(0, 12)), m);
    }
}
