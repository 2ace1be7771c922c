package dev.pacer.data.tokenize;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import dev.pacer.data.CorpusException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Hugging Face {@code tokenizer.json} through DJL's binding of the Rust tokenizers library
 * (offline: the native library ships in DJL's jar). No special tokens are added, nothing is
 * truncated or padded: documents are tokenized whole and Pacer appends the end-of-document id.
 */
final class HuggingFaceTokenizerFile implements TextTokenizer {

    private static final Map<String, HuggingFaceTokenizerFile> CACHE = new ConcurrentHashMap<>();

    private final HuggingFaceTokenizer tokenizer;
    private final String source;
    private final long handle;
    private final int vocabSize;
    private final int endOfDocument;
    private final TokenTable table;
    /** Bytes of tokens decoded on their own, filled on first use (tokenizers that are not byte-level). */
    private final byte[][] decodedAlone;

    private HuggingFaceTokenizerFile(TokenizerSpec spec) {
        try {
            this.tokenizer = HuggingFaceTokenizer.newInstance(
                    new ByteArrayInputStream(spec.json()),
                    Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        } catch (IOException | RuntimeException e) {
            throw new CorpusException(
                    "pacer.data.tokenizer: the tokenizers library cannot load '" + spec.source() + "' ("
                            + CorpusException.firstLine(e) + ")",
                    e);
        }
        this.source = spec.source();
        this.handle = tokenizer.getHandle();
        this.vocabSize = spec.vocabSize();
        this.endOfDocument = spec.endOfDocument();
        this.table = TokenTable.of(spec.root(), vocabSize);
        this.decodedAlone = table.byteLevel() ? null : new byte[vocabSize][];
    }

    static HuggingFaceTokenizerFile cached(TokenizerSpec spec) {
        return CACHE.computeIfAbsent(
                spec.sha256() + "/" + spec.endOfDocument(), k -> new HuggingFaceTokenizerFile(spec));
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int endOfDocument() {
        return endOfDocument;
    }

    /**
     * Calls the library's encode and reads back only the ids: DJL's {@code encode} also copies
     * tokens, offsets and masks out of the native encoding on every call, which Pacer does not
     * use. Equivalent to {@code tokenizer.encode(text, false, false).getIds()} with lower-casing
     * and accent stripping off (their defaults).
     */
    @Override
    public int[] encode(String text) {
        long[] ids;
        try {
            long encoding = TokenizersLibrary.LIB.encode(handle, text, false);
            try {
                ids = TokenizersLibrary.LIB.getTokenIds(encoding);
            } finally {
                TokenizersLibrary.LIB.deleteEncoding(encoding);
            }
        } catch (RuntimeException e) { // the library's error, e.g. a vocabulary without its unknown token
            throw new CorpusException(
                    "pacer.data.tokenizer: '" + source + "' cannot tokenize a document (" + CorpusException.firstLine(e)
                            + "); the tokenizer.json is incomplete or damaged",
                    e);
        }
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            // ids are stored in 16 bits: one beyond the declared vocabulary would wrap silently
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new CorpusException("pacer.data.tokenizer: '" + source + "' gives token id " + ids[i]
                        + ", outside the vocabulary of " + vocabSize + " ids its tokenizer.json declares;"
                        + " the file is inconsistent");
            }
            out[i] = (int) ids[i];
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return tokenizer.decode(l, false);
    }

    @Override
    public byte[] tokenBytes(int id) {
        if (id < 0 || id >= vocabSize) {
            throw TextTokenizer.outside(id, vocabSize);
        }
        if (table.special(id) != null) {
            return new byte[0];
        }
        if (table.byteLevel()) {
            byte[] b = table.bytes(id);
            return b == null ? new byte[0] : b.clone();
        }
        byte[] b = decodedAlone[id];
        if (b == null) {
            b = decode(new int[] {id}).getBytes(StandardCharsets.UTF_8);
            decodedAlone[id] = b; // a benign race: every thread computes the same bytes
        }
        return b.clone();
    }

    @Override
    public String specialToken(int id) {
        if (id < 0 || id >= vocabSize) {
            throw TextTokenizer.outside(id, vocabSize);
        }
        return table.special(id);
    }

    @Override
    public boolean byteLevel() {
        return table.byteLevel();
    }
}
