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

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CorpusStats.class);

    /** A corpus too small for the run is refused before training: one line naming what is missing. */
    void checkUsable(dev.pacer.run.PacerSettings settings, String source) {
        CorpusStats s = this;
        if (s.trainSequences() == 0) {
            throw new dev.pacer.config.ConfigError("corpus " + source + " yields no training sequence of "
                    + (settings.train().seqLen() + 1) + " tokens (" + s.documentsRead()
                    + " documents read); give a larger corpus or a smaller pacer.train.seq-len");
        }
        if (s.emptyTrainPartitions() > 0) {
            throw new dev.pacer.config.ConfigError("corpus " + source + " leaves " + s.emptyTrainPartitions()
                    + " of " + settings.partitions() + " partitions without a training sequence;"
                    + " lower pacer.spark.partitions or give a larger corpus");
        }
        if (s.validationSequences() == 0) {
            throw new dev.pacer.config.ConfigError("corpus " + source + " yields no validation sequence; raise"
                    + " pacer.data.validation-fraction (now " + settings.data().validationFraction()
                    + ") or give a larger corpus");
        }
    }

    /** The corpus's counts in the driver's log and as an events.jsonl row. */
    void log(String source, dev.pacer.run.JsonLinesLog events) {
        CorpusStats s = this;
        LOG.info(
                "corpus {}: {} documents read ({} train, {} validation), {} train and {} validation sequences;"
                        + " skipped {} blank lines, {} tail tokens that filled no sequence; {} lines had invalid"
                        + " UTF-8 (replaced); order-0 entropy {} bits/byte",
                source,
                s.documentsRead(),
                s.trainDocuments(),
                s.validationDocuments(),
                s.trainSequences(),
                s.validationSequences(),
                s.blankLines(),
                s.droppedTailTokens(),
                s.invalidUtf8Lines(),
                String.format("%.4f", s.order0EntropyBits()));
        events.append(dev.pacer.run.JsonLinesLog.row()
                .put("event", "corpus")
                .put("source", source)
                .put("documents_read", s.documentsRead())
                .put("train_documents", s.trainDocuments())
                .put("validation_documents", s.validationDocuments())
                .put("train_sequences", s.trainSequences())
                .put("validation_sequences", s.validationSequences())
                .put("skipped_blank_lines", s.blankLines())
                .put("dropped_tail_tokens", s.droppedTailTokens())
                .put("invalid_utf8_lines", s.invalidUtf8Lines())
                .put("order0_entropy_bits", s.order0EntropyBits()));
    }
}
