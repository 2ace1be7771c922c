package dev.pacer.prepare;

import dev.pacer.config.ConfigError;
import dev.pacer.data.CorpusException;
import dev.pacer.data.DataSettings;
import dev.pacer.data.shard.DatasetManifest;
import dev.pacer.data.shard.PreparedDataset;
import dev.pacer.data.shard.ShardInfo;
import dev.pacer.data.source.InputResolver;
import dev.pacer.data.source.InputUnit;
import dev.pacer.data.source.SourceCounts;
import dev.pacer.run.PacerSettings;
import dev.pacer.run.SessionLease;
import dev.pacer.run.WritableDirectory;
import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pacer prepare}: a corpus (files on any Hadoop file system, a SQL query, a catalog table
 * or a DataFrame) becomes a prepared dataset of packed token shards and a manifest, or a new
 * version of one (docs/corpus-preparation.md, docs/data-engineers.md).
 *
 * <p>Everything that can be checked without Spark is checked first: inputs exist, the tokenizer
 * loads, the output is new, half-written, a dataset to grow or (with {@code --overwrite}) a
 * complete dataset; a query or table is analysed before any job runs. Then the
 * {@link PrepareStages} over one cached read, and the manifest last. The result depends only on
 * the inputs and settings, never on how Spark scheduled the tasks.
 */
public final class PrepareJob {

    private static final Logger LOG = LoggerFactory.getLogger(PrepareJob.class);
    private static final long AUTO_SHARD_BYTES = 64L << 20;
    static final String MARKER = DatasetOutput.MARKER;

    /** What to do with an output that already holds a complete dataset. */
    public enum Mode {
        /** Leave it as it is (report it). */
        CREATE,
        /** Delete it and prepare again. */
        OVERWRITE,
        /** Add the documents it does not hold as its next version. */
        APPEND
    }

    /** How a prepare run ended. */
    public enum Status {
        /** A new dataset was written. */
        PREPARED,
        /** A new version was added to the dataset. */
        APPENDED,
        /** An append found no document the dataset does not already hold: nothing was written. */
        NOTHING_NEW,
        /** The output already held this dataset; left alone. */
        ALREADY_COMPLETE,
        /** The output held a dataset prepared from other inputs or settings; left alone. */
        ALREADY_COMPLETE_OTHER_SETTINGS
    }

    /**
     * How a prepare run ended.
     *
     * @param manifest what was written: the new dataset's manifest, or the new version's own; the
     *     existing dataset's root manifest when nothing was written
     * @param counts what this run read (for {@link Status#NOTHING_NEW}: all of it seen before)
     * @param version the version written, or the dataset's newest when nothing was written
     */
    public record Result(
            String output, Status status, DatasetManifest manifest, SourceCounts counts, int version, double seconds) {

        public boolean alreadyComplete() {
            return status == Status.ALREADY_COMPLETE || status == Status.ALREADY_COMPLETE_OTHER_SETTINGS;
        }

        public boolean settingsDiffer() {
            return status == Status.ALREADY_COMPLETE_OTHER_SETTINGS;
        }

        /** Tokens packed (end-of-document tokens and dropped tails included) of {@link #manifest()}. */
        public long tokens() {
            long[] t = manifest.totals(ShardInfo.TRAIN);
            long[] v = manifest.totals(ShardInfo.VALIDATION);
            return t[1] + t[3] + v[1] + v[3];
        }
    }

    private final PacerSettings settings;
    private final CorpusInput input;
    private final String output;
    private final Mode mode;
    private SparkSession session;

    public PrepareJob(PacerSettings settings, CorpusInput input, String output, Mode mode) {
        this.settings = settings;
        this.input = input;
        this.output = output;
        this.mode = mode;
    }

    /** Files (none = the bundled corpus); replaces a complete output only with {@code overwrite}. */
    public PrepareJob(PacerSettings settings, List<String> inputs, String output, boolean overwrite) {
        this(settings, CorpusInput.files(inputs), output, overwrite ? Mode.OVERWRITE : Mode.CREATE);
    }

    /**
     * Runs in {@code spark} and leaves it running. Without one, a DataFrame input runs in its own
     * session, anything else in the running session or a new one (stopped at the end).
     */
    public PrepareJob inSession(SparkSession spark) {
        this.session = spark;
        return this;
    }

    public Result run() throws IOException {
        long t0 = System.nanoTime();
        DataSettings d = settings.data();
        Configuration hadoop = hadoopConf(settings, new Configuration());
        DatasetOutput out = DatasetOutput.at(output, hadoop);
        PreparedDataset existing = mode == Mode.OVERWRITE ? null : out.existing(hadoop, false);
        PreparedDataset growing = mode == Mode.APPEND ? existing : null;
        if (growing == null) {
            out.refuseForeign();
        }
        List<InputUnit> units = List.of();
        if (input instanceof CorpusInput.Files f) {
            try {
                units = InputResolver.resolve(f.paths(), d.format(), hadoop);
            } catch (CorpusException e) {
                throw new ConfigError(e.getMessage());
            }
        }
        Packing packing =
                growing != null ? Packing.forAppend(settings, growing, hadoop) : Packing.forNew(settings, hadoop);
        if (growing != null) {
            DocumentIndex.requirePresent(growing, hadoop);
        }
        if (input instanceof CorpusInput.Files && existing != null && mode == Mode.CREATE) {
            return new PrepareOutcome(settings, input).unchanged(out, existing, packing, autoShards(fileBytes(units)));
        }
        try (SessionLease lease = lease()) {
            FrameSource frame = input instanceof CorpusInput.Files ? null : FrameSource.resolve(input, lease.session());
            // an output the user cannot write is refused before any Spark job (after a query's
            // own checks, which must leave no directory behind)
            WritableDirectory.require(output, "--output", hadoop);
            if (existing != null && mode == Mode.CREATE) {
                return new PrepareOutcome(settings, input)
                        .unchanged(out, existing, packing, existing.manifest().shardCount());
            }
            Path target = out.begin(growing, String.join(", ", input.names()));
            LOG.info(
                    "preparing {} into {}{}: tokenizer {} (vocabulary {}), sequences of {} tokens",
                    String.join(", ", input.names()),
                    target,
                    growing == null ? "" : " (version " + (growing.versionsAvailable() + 1) + ")",
                    packing.tokenizer().source(),
                    packing.tokenizer().vocabSize(),
                    packing.seqLen());
            PrepareRun run = new PrepareRun(settings, lease.session(), input, packing);
            PrepareRun.Written w;
            try {
                w = frame == null ? run.files(units, target, growing) : run.frame(frame, target, growing);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (IOException e) {
                throw e;
            } catch (Exception e) { // Spark's SparkException is checked but thrown from Scala unannounced
                throw explain(e);
            }
            return new PrepareOutcome(settings, input).committed(out, target, growing, w, packing, t0);
        }
    }

    private SessionLease lease() {
        if (session != null) {
            return SessionLease.borrow(session);
        }
        if (input instanceof CorpusInput.Frame f) {
            return SessionLease.borrow(f.frame().sparkSession());
        }
        // a session that is already running (tests, notebooks) is used and left running
        return SessionLease.reuseOrStart(settings.sparkConf("pacer prepare"));
    }

    /**
     * {@code base} with the {@code spark.hadoop.*} entries of {@code pacer.spark.conf} applied, as
     * Spark applies them to its own Hadoop configuration: the checks made before Spark starts
     * (inputs, tokenizer, output, manifests) then see the same file systems and credentials.
     */
    public static Configuration hadoopConf(PacerSettings settings, Configuration base) {
        Configuration c = new Configuration(base);
        settings.sparkConf().forEach((k, v) -> {
            if (k.startsWith("spark.hadoop.")) {
                c.set(k.substring("spark.hadoop.".length()), v);
            }
        });
        return c;
    }

    private static long fileBytes(List<InputUnit> units) {
        return units.stream().mapToLong(u -> Math.max(0, u.length())).sum();
    }

    /** 8 shards, or one per 64 MiB of input, rounded up to a multiple of 8. */
    static int autoShards(long bytes) {
        long n = Math.max(8, (bytes + AUTO_SHARD_BYTES - 1) / AUTO_SHARD_BYTES);
        return (int) Math.min(100_000, (n + 7) / 8 * 8);
    }

    /** As {@link #autoShards(long)} over the files' sizes. */
    static int autoShards(List<InputUnit> units) {
        return autoShards(fileBytes(units));
    }

    /**
     * A bad-input exception from anywhere in a Spark failure's causes, or the failure itself:
     * a file Spark's reader could not read becomes a {@link CorpusException} naming it.
     */
    static RuntimeException explain(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CorpusException c) {
                return new CorpusException(c.getMessage(), c);
            }
            if (t instanceof ConfigError c) {
                return c;
            }
        }
        java.util.Optional<CorpusException> unreadable = dev.pacer.run.TaskFailure.unreadableFile(e);
        if (unreadable.isPresent()) {
            return unreadable.get();
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException(CorpusException.firstLine(e), e);
    }
}
