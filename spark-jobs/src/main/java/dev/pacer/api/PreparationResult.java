package dev.pacer.api;

import dev.pacer.data.shard.DatasetManifest;
import dev.pacer.data.shard.ShardInfo;
import dev.pacer.data.source.SkipReason;
import dev.pacer.data.source.SourceCounts;
import dev.pacer.prepare.PrepareJob;

/**
 * What a {@link CorpusPreparation} did. The counts describe this run: for
 * {@link PrepareJob.Status#APPENDED} the new version alone, for {@link PrepareJob.Status#PREPARED}
 * the new dataset, for {@link PrepareJob.Status#NOTHING_NEW} what was read (every document already
 * in the dataset, so nothing was written), for the two {@code ALREADY_COMPLETE} statuses the
 * dataset found at the output.
 *
 * @param output the dataset's directory, fully qualified
 * @param status how the run ended
 * @param version the version written; the dataset's newest when nothing was written
 * @param documentsRead usable documents read (records that were not empty, damaged or null)
 * @param skipped records skipped or documents dropped, by reason, as "empty 3, duplicate 2" or "none",
 *     then any invalid UTF-8 read ("; invalid UTF-8: 3 records (5 sequences) replaced")
 * @param seenBefore documents dropped because an earlier version holds the same text
 * @param documents documents packed
 * @param tokens tokens packed, end-of-document tokens included
 * @param trainSequences training sequences (rows) written
 * @param validationSequences validation sequences written
 * @param vocabSize the tokenizer's vocabulary
 * @param seqLen tokens per sequence
 * @param shards shards per split
 * @param seconds time taken
 */
public record PreparationResult(
        String output,
        PrepareJob.Status status,
        int version,
        long documentsRead,
        String skipped,
        long seenBefore,
        long documents,
        long tokens,
        long trainSequences,
        long validationSequences,
        int vocabSize,
        int seqLen,
        int shards,
        double seconds) {

    static PreparationResult of(PrepareJob.Result r) {
        DatasetManifest m = r.manifest();
        SourceCounts c = r.counts();
        boolean written = r.status() != PrepareJob.Status.NOTHING_NEW;
        long[] train = written ? m.totals(ShardInfo.TRAIN) : new long[5];
        long[] val = written ? m.totals(ShardInfo.VALIDATION) : new long[5];
        return new PreparationResult(
                r.output(),
                r.status(),
                r.version(),
                c.documents(),
                c.describeSkipped(false) + invalidUtf8Phrase(c),
                c.skipped(SkipReason.SEEN_BEFORE),
                train[0] + val[0],
                written ? r.tokens() : 0,
                train[2],
                val[2],
                m.tokenizer().vocabSize(),
                m.seqLen(),
                m.shardCount(),
                r.seconds());
    }

    /** "; invalid UTF-8: 3 records (5 sequences) replaced", or nothing for clean text. */
    static String invalidUtf8Phrase(SourceCounts c) {
        if (c.invalidUtf8Records() == 0 && c.text().nulBytes() == 0) {
            return "";
        }
        String nul = c.text().nulBytes() == 0
                ? ""
                : String.format(", %,d NUL bytes", c.text().nulBytes());
        return String.format(
                "; invalid UTF-8: %,d records (%,d sequences) %s%s",
                c.invalidUtf8Records(),
                c.text().invalidUtf8Sequences(),
                c.utf8Replaced() > 0 ? "replaced" : "skipped",
                nul);
    }

    /** The output held a complete dataset prepared from other inputs or settings (left alone). */
    public boolean settingsDiffer() {
        return status == PrepareJob.Status.ALREADY_COMPLETE_OTHER_SETTINGS;
    }

    /** Whether this run wrote a dataset or a version. */
    public boolean wrote() {
        return status == PrepareJob.Status.PREPARED || status == PrepareJob.Status.APPENDED;
    }
}
