package dev.pacer.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;

/**
 * One partition's share of a corpus, tokenized and packed: documents whose index modulo the
 * partition count equals this partition, split into training and validation by document hash.
 * Every partition reads the whole corpus once and keeps its share, so no driver-side collection
 * of tokens is ever shipped to executors.
 */
public record CorpusPartition(TokenBlock train, TokenBlock validation, LineDocuments.Counts counts)
        implements Serializable {

    public static CorpusPartition load(InputStream corpus, int partition, int partitions,
            int packedLength, DocumentSplit split, long maxDocuments) throws IOException {
        ByteTokenizer tokenizer = new ByteTokenizer();
        TokenPacker train = new TokenPacker(packedLength, ByteTokenizer.END_OF_DOCUMENT);
        TokenPacker validation = new TokenPacker(packedLength, ByteTokenizer.END_OF_DOCUMENT);
        LineDocuments.Counts counts = LineDocuments.read(corpus, (doc, index) -> {
            if (maxDocuments > 0 && index >= maxDocuments) {
                return;
            }
            if (index % partitions != partition) {
                return;
            }
            (split.isValidation(doc) ? validation : train).add(tokenizer.encode(doc));
        });
        return new CorpusPartition(train.build(), validation.build(), counts);
    }
}
