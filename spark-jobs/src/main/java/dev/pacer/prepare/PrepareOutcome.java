package dev.pacer.prepare;

import dev.pacer.data.shard.DatasetManifest;
import dev.pacer.data.shard.ManifestFiles;
import dev.pacer.data.shard.PreparedDataset;
import dev.pacer.data.shard.ShardInfo;
import dev.pacer.prepare.PrepareJob.Result;
import dev.pacer.prepare.PrepareJob.Status;
import dev.pacer.run.PacerSettings;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a prepare run ends on disk and in the log: what it wrote is committed (the tokenizer and
 * manifest last, so that a dataset is complete only once both are there) or, when it found nothing
 * new, abandoned; an output that already holds a dataset is left alone, with a warning when it was
 * prepared from other inputs or settings.
 */
final class PrepareOutcome {

    // under PrepareJob's name: log settings written for pacer prepare keep applying
    private static final Logger LOG = LoggerFactory.getLogger(PrepareJob.class);

    private final PacerSettings settings;
    private final CorpusInput input;

    PrepareOutcome(PacerSettings settings, CorpusInput input) {
        this.settings = settings;
        this.input = input;
    }

    /** Commits what the run wrote (a new dataset or version), or abandons it when nothing was new. */
    Result committed(
            DatasetOutput out, Path target, PreparedDataset growing, PrepareRun.Written w, Packing packing, long t0)
            throws IOException {
        double seconds = (System.nanoTime() - t0) / 1e9;
        Configuration hadoop = PrepareJob.hadoopConf(settings, new Configuration());
        if (w.manifest() == null) {
            out.abandon(target);
            LOG.info(
                    "{}: nothing new: all {} documents read are in versions 1 to {} already; no version added",
                    out.root(),
                    w.counts().documents(),
                    growing.versionsAvailable());
            return new Result(
                    out.root().toString(),
                    Status.NOTHING_NEW,
                    growing.manifest(),
                    w.counts(),
                    growing.versionsAvailable(),
                    seconds);
        }
        int version;
        if (growing != null) {
            ManifestFiles.commitVersion(growing, w.manifest(), hadoop);
            version = growing.versionsAvailable() + 1;
        } else {
            if (!packing.tokenizer().isByte()) {
                // the dataset carries its tokenizer: evaluation, export and appends need no other path
                try (OutputStream t = PreparedDataset.fileSystem(target, hadoop)
                        .create(new Path(target, PreparedDataset.TOKENIZER_FILE), true)) {
                    t.write(packing.tokenizer().jsonBytes());
                }
            }
            ManifestFiles.writeFirst(target, w.manifest(), hadoop);
            version = 1;
        }
        out.finish(target);
        Result r = new Result(
                out.root().toString(),
                growing == null ? Status.PREPARED : Status.APPENDED,
                w.manifest(),
                w.counts(),
                version,
                seconds);
        DatasetManifest m = w.manifest();
        LOG.info(
                "prepared {} (version {}): {} documents, {} tokens, {} train + {} validation sequences in {} s",
                out.root(),
                version,
                m.totals(ShardInfo.TRAIN)[0] + m.totals(ShardInfo.VALIDATION)[0],
                r.tokens(),
                m.totals(ShardInfo.TRAIN)[2],
                m.totals(ShardInfo.VALIDATION)[2],
                String.format("%.1f", seconds));
        return r;
    }

    /** The output already holds a complete dataset and the mode leaves it alone. */
    Result unchanged(DatasetOutput out, PreparedDataset existing, Packing packing, int autoShards) {
        int shards = packing.shards() > 0 ? packing.shards() : autoShards;
        String digest = PrepareRun.digest(settings, input, packing, shards);
        boolean differ = !existing.manifest().configDigest().equals(digest);
        if (differ) {
            LOG.warn(
                    "{} holds a complete dataset prepared with other inputs or settings (config digest {}, these"
                            + " give {}); not rewritten: pass --overwrite to prepare it again, or --append to add"
                            + " what it does not hold",
                    out.root(),
                    existing.manifest().configDigest().substring(0, 12),
                    digest.substring(0, 12));
        } else {
            LOG.info(
                    "{} already holds this prepared dataset (manifest {}); not rewritten",
                    out.root(),
                    existing.manifestSha256().substring(0, 12));
        }
        return new Result(
                out.root().toString(),
                differ ? Status.ALREADY_COMPLETE_OTHER_SETTINGS : Status.ALREADY_COMPLETE,
                existing.manifest(),
                existing.manifest().counts(),
                existing.versionsAvailable(),
                0);
    }
}
