package dev.pacer.data.shard;

import dev.pacer.data.CorpusException;
import dev.pacer.data.DocumentSplit;
import dev.pacer.data.tokenize.TextTokenizer;
import dev.pacer.data.tokenize.TokenizerSpec;
import java.io.IOException;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Builds one shard of a prepared dataset inside one task: the shard's documents arrive in input
 * order; each is tokenized, sent to the training or validation stream by {@link DocumentSplit},
 * and written through a {@link TokenShardWriter}. Files are written under a hidden temporary
 * name and renamed when complete, so a retried or speculative task never leaves a half file
 * under the final name (and, being deterministic, writes the same bytes).
 */
public final class ShardBuilder implements AutoCloseable {

    private final FileSystem fs;
    private final Path root;
    private final int shard;
    private final int shards;
    private final TextTokenizer tokenizer;
    private final DocumentSplit split;
    private final String attempt;
    private final Part train;
    private final Part validation;

    private final class Part {
        final String split;
        final Path tmp;
        final TokenShardWriter writer;
        long utf8Bytes;

        Part(String split, int rowLength, TokenizerSpec spec) throws IOException {
            this.split = split;
            Path fin = new Path(root, ShardInfo.fileName(split, shard, shards));
            this.tmp = new Path(fin.getParent(), "." + fin.getName() + "." + attempt + ".tmp");
            fs.mkdirs(fin.getParent());
            this.writer = new TokenShardWriter(
                    fs.create(tmp, true),
                    rowLength,
                    spec.endOfDocument(),
                    Map.of(
                            "pacer.format",
                            TokenShardWriter.FORMAT,
                            "pacer.format_version",
                            "" + TokenShardWriter.VERSION,
                            "pacer.split",
                            split,
                            "pacer.shard",
                            shard + "/" + shards,
                            "pacer.row_tokens",
                            "" + rowLength,
                            "pacer.vocab_size",
                            "" + spec.vocabSize(),
                            "pacer.end_of_document_id",
                            "" + spec.endOfDocument()));
        }

        ShardInfo finish() throws IOException {
            TokenShardWriter.Written w = writer.finish();
            String rel = ShardInfo.fileName(split, shard, shards);
            Path fin = new Path(root, rel);
            if (fs.exists(fin)) {
                fs.delete(fin, false);
            }
            if (!fs.rename(tmp, fin)) {
                throw new IOException("cannot rename " + tmp + " to " + fin);
            }
            return new ShardInfo(
                    split,
                    shard,
                    rel,
                    w.rows(),
                    w.documents(),
                    w.tokens(),
                    w.droppedTailTokens(),
                    utf8Bytes,
                    w.bytes(),
                    w.sha256());
        }
    }

    /**
     * @param root the dataset directory
     * @param attempt unique per task attempt, for the temporary file names
     */
    public ShardBuilder(
            String root,
            int shard,
            int shards,
            TokenizerSpec spec,
            DocumentSplit split,
            int rowLength,
            Configuration conf,
            String attempt)
            throws IOException {
        Path r = new Path(root);
        this.fs = PreparedDataset.fileSystem(r, conf);
        this.root = fs.makeQualified(r);
        this.shard = shard;
        this.shards = shards;
        this.tokenizer = spec.open();
        this.split = split;
        this.attempt = attempt;
        this.train = new Part(ShardInfo.TRAIN, rowLength, spec);
        this.validation = new Part(ShardInfo.VALIDATION, rowLength, spec);
    }

    public void add(String document) throws IOException {
        Part p = split.isValidation(document) ? validation : train;
        p.writer.addDocument(tokenizer.encode(document));
        p.utf8Bytes += utf8Length(document);
    }

    /** Closes both files and moves them to their final names: {train, validation}. */
    public ShardInfo[] finish() throws IOException {
        return new ShardInfo[] {train.finish(), validation.finish()};
    }

    @Override
    public void close() {
        for (Part p : new Part[] {train, validation}) {
            try {
                p.writer.close();
                if (fs.exists(p.tmp)) {
                    fs.delete(p.tmp, false);
                }
            } catch (IOException e) {
                throw new CorpusException("cannot clean up " + p.tmp + ": " + CorpusException.firstLine(e), e);
            }
        }
    }

    static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
