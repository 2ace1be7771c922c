package dev.pacer.train;

import dev.pacer.data.CorpusPartition;
import dev.pacer.data.TokenBlock;
import dev.pacer.data.source.SkipReason;
import dev.pacer.data.source.SourceCounts;
import java.io.Serializable;

/**
 * Counts over the loaded corpus, summed over partitions: what was read, what was kept, what was
 * skipped and why, and the token histogram behind the order-0 entropy baseline.
 */
public record CorpusStats(
        long documentsRead,
        long trainDocuments,
        long validationDocuments,
        long trainSequences,
        long validationSequences,
        long droppedTailTokens,
        long blankLines,
        long invalidUtf8Lines,
        int emptyTrainPartitions,
        long[] tokenHistogram)
        implements Serializable {

    /**
     * One partition's counts. Read counts (documents read, blank records, invalid UTF-8) describe
     * the whole corpus: on the fly every partition reads all of it, and a prepared dataset's
     * come from its manifest.
     */
    public static CorpusStats of(CorpusPartition p, int vocab) {
        long[] hist = new long[vocab];
        count(p.train(), hist);
        count(p.validation(), hist);
        SourceCounts read = p.counts();
        return new CorpusStats(
                read.documents(),
                p.train().documents(),
                p.validation().documents(),
                p.train().sequenceCount(),
                p.validation().sequenceCount(),
                p.train().droppedTailTokens() + p.validation().droppedTailTokens(),
                read.skipped(SkipReason.EMPTY),
                read.utf8Replaced() + read.skipped(SkipReason.INVALID_UTF8),
                p.train().sequenceCount() == 0 ? 1 : 0,
                hist);
    }

    /** Read counts describe the whole corpus in every partition, so they are taken once, not summed. */
    public CorpusStats merge(CorpusStats o) {
        long[] hist = tokenHistogram.clone();
        for (int i = 0; i < hist.length; i++) {
            hist[i] += o.tokenHistogram[i];
        }
        return new CorpusStats(
                Math.max(documentsRead, o.documentsRead),
                trainDocuments + o.trainDocuments,
                validationDocuments + o.validationDocuments,
                trainSequences + o.trainSequences,
                validationSequences + o.validationSequences,
                droppedTailTokens + o.droppedTailTokens,
                Math.max(blankLines, o.blankLines),
                Math.max(invalidUtf8Lines, o.invalidUtf8Lines),
                emptyTrainPartitions + o.emptyTrainPartitions,
                hist);
    }

    /** Shannon entropy of the unigram token distribution, in bits per token (per byte for the byte tokenizer). */
    public double order0EntropyBits() {
        long total = 0;
        for (long c : tokenHistogram) {
            total += c;
        }
        double h = 0;
        for (long c : tokenHistogram) {
            if (c > 0) {
                double p = (double) c / total;
                h -= p * Math.log(p) / Math.log(2);
            }
        }
        return h;
    }

    private static void count(TokenBlock block, long[] hist) {
        for (int i = 0; i < block.sequenceCount(); i++) {
            for (int t : block.sequence(i)) {
                hist[t]++;
            }
        }
    }
}
