package dev.pacer.data;

import dev.pacer.data.source.DocumentReader;
import dev.pacer.data.source.InputUnit;
import dev.pacer.data.source.ReadOptions;
import dev.pacer.data.source.RecordCollector;
import dev.pacer.data.source.SkipReason;
import dev.pacer.data.source.SourceCounts;
import dev.pacer.data.source.TextSource;
import dev.pacer.data.source.Utf8Policy;
import dev.pacer.data.tokenize.TextTokenizer;
import dev.pacer.data.tokenize.TokenizerSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;

/**
 * One training partition's data, tokenized and packed: a training and a validation block, and
 * the counts of what reading the corpus saw. It comes from a prepared dataset's shards
 * ({@link dev.pacer.data.shard.PreparedDataset#loadPartition}) or is prepared on the fly from a
 * corpus that every partition reads whole, keeping the documents whose index modulo the
 * partition count is its own: the same documents, order and packing as {@code pacer prepare}
 * with as many shards as partitions.
 */
public record CorpusPartition(TokenBlock train, TokenBlock validation, SourceCounts counts) implements Serializable {

    /** The byte tokenizer over a one-document-a-line stream in the Europarl layout. */
    public static CorpusPartition load(
            InputStream corpus, int partition, int partitions, int packedLength, DocumentSplit split, long maxDocuments)
            throws IOException {
        return pack(
                c -> {
                    try {
                        c.startFile(BundledCorpus.NAME, "line");
                        TextSource.readLines(corpus, c, true);
                    } catch (IOException e) {
                        throw new CorpusException("corpus read failed: " + CorpusException.firstLine(e), e);
                    }
                },
                TokenizerSpec.byteLevel(),
                partition,
                partitions,
                packedLength,
                split,
                maxDocuments,
                false,
                Utf8Policy.REPLACE);
    }

    /** On-the-fly preparation of {@code unit} (the bundled corpus, or any file a reader handles). */
    public static CorpusPartition prepare(
            InputUnit unit,
            ReadOptions options,
            Configuration conf,
            TokenizerSpec tokenizer,
            int partition,
            int partitions,
            int packedLength,
            DocumentSplit split,
            long maxDocuments,
            boolean dedup) {
        return pack(
                c -> DocumentReader.read(unit, options, conf, c),
                tokenizer,
                partition,
                partitions,
                packedLength,
                split,
                maxDocuments,
                dedup,
                options.invalidUtf8());
    }

    private static CorpusPartition pack(
            Consumer<RecordCollector> reader,
            TokenizerSpec spec,
            int partition,
            int partitions,
            int packedLength,
            DocumentSplit split,
            long maxDocuments,
            boolean dedup,
            Utf8Policy policy) {
        TextTokenizer tokenizer = spec.open();
        TokenPacker train = new TokenPacker(packedLength, spec.endOfDocument());
        TokenPacker validation = new TokenPacker(packedLength, spec.endOfDocument());
        SourceCounts counts = new SourceCounts();
        Set<DocumentHash> seen = dedup ? new HashSet<>() : null;
        long[] index = {0};
        long[] dropped = new long[2]; // over max-documents, duplicates
        reader.accept(new RecordCollector(policy, counts, doc -> {
            long i = index[0]++;
            if (maxDocuments > 0 && i >= maxDocuments) {
                dropped[0]++;
                return;
            }
            // every partition hashes every document, so "first occurrence" is global
            if (seen != null && !seen.add(DocumentHash.of(doc))) {
                dropped[1]++;
                return;
            }
            if (i % partitions == partition) {
                (split.isValidation(doc) ? validation : train).add(tokenizer.encode(doc));
            }
        }));
        counts.dropped(SkipReason.OVER_MAX_DOCUMENTS, dropped[0]);
        counts.dropped(SkipReason.DUPLICATE, dropped[1]);
        return new CorpusPartition(train.build(), validation.build(), counts);
    }
}
