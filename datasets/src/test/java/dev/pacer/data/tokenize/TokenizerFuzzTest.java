package dev.pacer.data.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.data.CorpusException;
import dev.pacer.fuzz.Fuzz;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated tokenizer.json files (byte-level BPE, WordPiece, Unigram, WordLevel): each
 * is refused with a one-line {@link CorpusException}, or accepted and then tokenizes text into
 * ids inside the vocabulary it declares (16-bit storage would silently wrap any other id).
 */
class TokenizerFuzzTest {

    private static final int CASES = 1000;
    private static final String SAMPLE =
            "The tokenizer reads caf\u00e9, \u6771\u4eac and <|endoftext|> [SEP] </s> too.";

    @Test
    void everyDamagedTokenizerIsRefusedInOneLineOrTokenizesInsideItsVocabulary() {
        List<byte[]> seeds = List.of(
                TestTokenizers.bytePairEncoding(),
                TestTokenizers.wordPiece(),
                TestTokenizers.unigram(),
                TestTokenizers.wordLevel(40));
        Fuzz.Summary s = Fuzz.run(
                "tokenizer.json",
                200,
                CASES,
                Fuzz.mix(seeds, true),
                in -> {
                    TokenizerSpec spec = TokenizerSpec.fromJson("fuzz/tokenizer.json", in, "");
                    for (int id : spec.open().encode(SAMPLE)) {
                        if (id < 0 || id >= spec.vocabSize()) {
                            throw new AssertionError("id " + id + " outside the vocabulary of " + spec.vocabSize());
                        }
                    }
                    return 0;
                },
                CorpusException.class);
        assertEquals(List.of(), s.crashes(), s.line());
        assertTrue(s.refused() > CASES / 2 && s.read() > 0, s.line());
    }
}
