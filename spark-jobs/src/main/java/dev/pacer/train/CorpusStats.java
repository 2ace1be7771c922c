package dev.pacer.train;

import dev.pacer.data.CorpusPartition;
import dev.pacer.data.TokenBlock;
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
        long[] tokenHistogram) implements Serializable {

    public static CorpusStats of(CorpusPartition p, int vocab) {
        long[] hist = new long[vocab];
        count(p.train(), hist);
        count(p.validation(), hist);
        return new CorpusStats(p.counts().documents(), p.train().documents(), p.validation().documents(),
                p.train().sequenceCount(), p.validation().sequenceCount(),
                p.train().droppedTailTokens() + p.validation().droppedTailTokens(),
                p.counts().blankLines(), p.counts().linesWithInvalidUtf8(),
                p.train().sequenceCount() == 0 ? 1 : 0, hist);
    }

    /** Every partition reads the whole corpus, so read counts are taken once, not summed. */
    public CorpusStats merge(CorpusStats o) {
        long[] hist = tokenHistogram.clone();
        for (int i = 0; i < hist.length; i++) {
            hist[i] += o.tokenHistogram[i];
        }
        return new CorpusStats(Math.max(documentsRead, o.documentsRead), trainDocuments + o.trainDocuments,
                validationDocuments + o.validationDocuments, trainSequences + o.trainSequences,
                validationSequences + o.validationSequences, droppedTailTokens + o.droppedTailTokens,
                Math.max(blankLines, o.blankLines), Math.max(invalidUtf8Lines, o.invalidUtf8Lines),
                emptyTrainPartitions + o.emptyTrainPartitions, hist);
    }

    /** Shannon entropy of the unigram token distribution, in bits per token (per byte here). */
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
