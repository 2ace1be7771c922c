package dev.pacer.evaluate;

import dev.pacer.config.ConfigError;
import dev.pacer.data.BundledCorpus;
import dev.pacer.data.DocumentSplit;
import dev.pacer.data.LineDocuments;
import dev.pacer.data.TokenBlock;
import dev.pacer.data.TokenPacker;
import dev.pacer.data.tokenize.TextTokenizer;
import dev.pacer.data.tokenize.TokenByteCounts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * Documents to evaluate on, tokenized and packed as training packs them: each document's tokens
 * and the end-of-document token, concatenated and cut into sequences of {@code seqLen + 1}
 * (inputs and shifted targets); a tail that fills no sequence is dropped.
 *
 * <p>Bits per byte need the bytes the scored tokens stand for. With a byte-level tokenizer (the
 * byte tokenizer, a byte-level BPE such as GPT-2's) every token stands for known bytes, so they are
 * counted exactly over the target tokens ({@link TokenByteCounts}: the end-of-document token counts
 * one byte, the line break that ended the document in its file; other special tokens none). For
 * other tokenizers they are estimated from the packed documents' ratio of UTF-8 bytes (plus one
 * per end-of-document token) to tokens.
 *
 * @param source what was read, for messages
 * @param sequences packed sequences of {@code seqLen + 1} tokens
 * @param documents documents packed
 * @param streamTokens tokens of the packed documents, end-of-document tokens included
 * @param streamBytes bytes of the packed documents, one per end-of-document token included
 * @param targetBytes bytes the target tokens stand for (byte-level tokenizers), else -1
 */
public record EvaluationSet(
        String source, List<int[]> sequences, long documents, long streamTokens, long streamBytes, long targetBytes) {

    /** The word that selects the validation split of the bundled corpus. */
    public static final String BUNDLED = "bundled";

    /**
     * Reads {@code data}: {@link #BUNDLED} for the validation documents of the bundled corpus
     * (the split training holds out), otherwise a one-document-a-line text file (optionally
     * compressed, e.g. {@code .gz}) on any Hadoop file system, all of whose documents are used
     * unless {@code validationOnly}.
     *
     * @param maxSequences stop packing after this many sequences (0 = all)
     */
    public static EvaluationSet read(
            String data,
            TextTokenizer tokenizer,
            int seqLen,
            double validationFraction,
            boolean validationOnly,
            int maxSequences,
            Configuration hadoop)
            throws IOException {
        boolean bundled = data.equals(BUNDLED);
        DocumentSplit split = bundled || validationOnly ? new DocumentSplit(validationFraction) : null;
        TokenPacker packer = new TokenPacker(seqLen + 1, tokenizer.endOfDocument());
        long wantedTokens = maxSequences > 0 ? (long) maxSequences * (seqLen + 1) : Long.MAX_VALUE;
        long[] counts = new long[3]; // documents, tokens, bytes
        try (InputStream in = bundled ? BundledCorpus.open() : open(data, hadoop)) {
            LineDocuments.read(in, (doc, index) -> {
                if (counts[1] >= wantedTokens || (split != null && !split.isValidation(doc))) {
                    return;
                }
                int[] ids = tokenizer.encode(doc);
                packer.add(ids);
                counts[0]++;
                counts[1] += ids.length + 1;
                counts[2] += doc.getBytes(StandardCharsets.UTF_8).length + 1;
            });
        }
        TokenBlock block = packer.build();
        int n = maxSequences > 0 ? Math.min(maxSequences, block.sequenceCount()) : block.sequenceCount();
        String source = (bundled ? BundledCorpus.NAME + " (validation split)" : data)
                + (validationOnly && !bundled ? " (validation split)" : "");
        if (n == 0) {
            throw new ConfigError(
                    "--data " + data + ": " + counts[0] + " documents (" + counts[1] + " tokens) fill no sequence of "
                            + (seqLen + 1) + " tokens; give more text or a smaller --seq-len");
        }
        List<int[]> sequences = block.head(n);
        long targetBytes = tokenizer.byteLevel() ? TokenByteCounts.of(tokenizer).targets(sequences) : -1;
        return new EvaluationSet(source, sequences, counts[0], counts[1], counts[2], targetBytes);
    }

    /** Whether bits per byte count the exact bytes of the scored tokens (a byte-level tokenizer). */
    public boolean exactBytes() {
        return targetBytes >= 0;
    }

    /** Target tokens (all but the first of each sequence). */
    public long targetTokens() {
        return sequences.stream().mapToLong(s -> s.length - 1L).sum();
    }

    /** Bytes per scored token: exact for a byte-level tokenizer, else the packed documents' average. */
    public double bytesPerToken() {
        return exactBytes() ? (double) targetBytes / targetTokens() : (double) streamBytes / streamTokens;
    }

    private static InputStream open(String data, Configuration hadoop) throws IOException {
        Path p = new Path(data);
        FileSystem fs = p.getFileSystem(hadoop);
        if (!fs.exists(p) || fs.getFileStatus(p).isDirectory()) {
            throw new ConfigError("--data " + data + ": no such file; give a text file with one document a line"
                    + " (optionally .gz), or the word '" + BUNDLED + "' for the bundled corpus's validation split");
        }
        InputStream raw = fs.open(p);
        CompressionCodec codec = new CompressionCodecFactory(hadoop).getCodec(p);
        return codec == null ? raw : codec.createInputStream(raw);
    }
}
