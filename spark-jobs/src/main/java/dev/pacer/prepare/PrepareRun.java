package dev.pacer.prepare;

import dev.pacer.data.CorpusException;
import dev.pacer.data.DataSettings;
import dev.pacer.data.HadoopConf;
import dev.pacer.data.shard.DatasetManifest;
import dev.pacer.data.shard.PreparedDataset;
import dev.pacer.data.shard.ShardInfo;
import dev.pacer.data.source.InputUnit;
import dev.pacer.data.source.SkipReason;
import dev.pacer.data.source.SourceCounts;
import dev.pacer.data.tokenize.TokenizerSpec;
import dev.pacer.run.PacerSettings;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * One preparation in a running session: the {@link PrepareStages} from the read to the shards
 * and the document index, and the manifest describing what they wrote. The caller commits it.
 */
final class PrepareRun {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PrepareRun.class);

    /** What a run wrote: its manifest (null when an append found nothing new) and what it read. */
    record Written(DatasetManifest manifest, SourceCounts counts) {}

    /** The manifest's {@code settings.format} of a Spark SQL input (query, table, DataFrame). */
    static final String SQL_FORMAT = "spark-sql";

    private final PacerSettings settings;
    private final SparkSession spark;
    private final CorpusInput input;
    private final Packing packing;
    private final JavaSparkContext jsc;
    private final PrepareStages stages;
    private final HadoopConf conf;

    PrepareRun(PacerSettings settings, SparkSession spark, CorpusInput input, Packing packing) {
        this.settings = settings;
        this.spark = spark;
        this.input = input;
        this.packing = packing;
        this.jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        this.stages = new PrepareStages(spark, jsc, new PrepareProgress(jsc, settings.progressLogSeconds()));
        this.conf = new HadoopConf(jsc.hadoopConfiguration());
    }

    Written files(List<InputUnit> units, Path target, PreparedDataset growing)
            throws ExecutionException, InterruptedException, IOException {
        JavaRDD<SourceItem> items = stages.readFiles(units, settings.data().readOptions(), conf);
        return run(items, units, PrepareJob.autoShards(units), target, growing);
    }

    Written frame(FrameSource frame, Path target, PreparedDataset growing)
            throws ExecutionException, InterruptedException, IOException {
        jsc.setJobDescription("pacer prepare: read " + frame.description());
        return run(frame.read(settings.data().readOptions()), List.of(), 0, target, growing);
    }

    /** @param autoShards shards when none are set; 0 = from the size of the text read */
    private Written run(
            JavaRDD<SourceItem> read, List<InputUnit> units, int autoShards, Path target, PreparedDataset growing)
            throws ExecutionException, InterruptedException, IOException {
        DataSettings d = settings.data();
        JavaRDD<SourceItem> items = read.persist(StorageLevel.MEMORY_AND_DISK());
        try {
            PrepareStages.Scan scan = stages.scan(items);
            SourceCounts counts = scan.counts();
            check(counts, d.maxBadFraction(), d.maxNonTextFraction());
            int shards = packing.shards() > 0
                    ? packing.shards()
                    : autoShards > 0 ? autoShards : PrepareJob.autoShards(scan.utf8Bytes());
            ShardPartitioner partitioner = new ShardPartitioner(shards);
            long max = d.maxDocuments();
            long kept = max > 0 ? Math.min(max, scan.documents()) : scan.documents();
            counts.dropped(SkipReason.OVER_MAX_DOCUMENTS, scan.documents() - kept);
            JavaPairRDD<Long, SourceItem> indexed = PrepareStages.index(items, scan.offsets(), max);
            Dataset<Row> earlier = growing == null ? null : DocumentIndex.earlierHashes(spark, growing);
            JavaPairRDD<Long, SkipReason> drops = stages.drops(indexed, partitioner, d.dedup(), earlier);
            if (growing != null) {
                Map<SkipReason, Long> dropped = drops.values().countByValue();
                if (dropped.values().stream().mapToLong(Long::longValue).sum() == kept) {
                    dropped.forEach(counts::dropped);
                    return new Written(null, counts);
                }
            }
            JavaPairRDD<Long, SourceItem> sharded = indexed.repartitionAndSortWithinPartitions(partitioner);
            Broadcast<TokenizerSpec> shipped = jsc.broadcast(packing.tokenizer());
            ShardTask task = new ShardTask(
                    target.toString(), shards, shipped, packing.validationFraction(), packing.seqLen() + 1, conf);
            List<ShardResult> results = stages.writeShards(sharded, drops, task, shards);
            jsc.setJobDescription("pacer prepare: index " + results.size() + " shards' documents");
            DocumentIndex.write(spark, sharded, drops, packing.validationFraction(), target);
            shipped.destroy();
            List<ShardInfo> files = new ArrayList<>();
            results.forEach(r -> files.add(r.train()));
            results.forEach(r -> files.add(r.validation()));
            counts.dropped(
                    SkipReason.DUPLICATE,
                    results.stream().mapToLong(ShardResult::duplicates).sum());
            counts.dropped(
                    SkipReason.SEEN_BEFORE,
                    results.stream().mapToLong(ShardResult::seenBefore).sum());
            DatasetManifest m = new DatasetManifest(
                    Instant.now().toString(),
                    input.names(),
                    units,
                    manifestSettings(d, input, packing, shards),
                    packing.tokenizer().info(),
                    packing.seqLen(),
                    counts,
                    files,
                    digest(settings, input, packing, shards),
                    List.of());
            return new Written(m, counts);
        } finally {
            items.unpersist();
        }
    }

    /** The preparation settings the manifest records (and its digest covers). */
    static DatasetManifest.Settings manifestSettings(DataSettings d, CorpusInput input, Packing packing, int shards) {
        return new DatasetManifest.Settings(
                input instanceof CorpusInput.Files ? d.format().id() : SQL_FORMAT,
                d.textUnit().name().toLowerCase(Locale.ROOT),
                d.textField(),
                d.invalidUtf8().name().toLowerCase(Locale.ROOT),
                packing.validationFraction(),
                d.dedup(),
                d.maxDocuments(),
                d.maxBadFraction(),
                shards);
    }

    static String digest(PacerSettings settings, CorpusInput input, Packing packing, int shards) {
        return DatasetManifest.configDigest(
                input.names(),
                manifestSettings(settings.data(), input, packing, shards),
                packing.tokenizer().info(),
                packing.seqLen());
    }

    /** A file that is not text, no usable text, or too many damaged records: fail before tokenizing anything. */
    static void check(SourceCounts counts, double maxBadFraction, double maxNonTextFraction) {
        if (counts.nonTextFiles() > 0) {
            long more = counts.nonTextFiles() - 1;
            throw new CorpusException(counts.nonTextExamples().get(0).describe()
                    + (more > 0 ? " (and " + more + " more such file" + (more > 1 ? "s" : "") + ")" : "")
                    + "; more than pacer.data.max-non-text-fraction = " + maxNonTextFraction + ", so it is not UTF-8"
                    + " text (a binary, or text in another encoding): leave it out of the input, convert it to UTF-8"
                    + " (e.g. iconv -f latin1 -t utf-8), or raise the limit");
        }
        SourceCounts.ByteCounts text = counts.text();
        if (text.invalidUtf8Sequences() + text.nulBytes() > 0) {
            LOG.warn(
                    "{} records hold invalid UTF-8 ({} sequences, {} bytes; {} under pacer.data.invalid-utf8) and {}"
                            + " NUL bytes were read: {}% of the text's bytes",
                    counts.invalidUtf8Records(),
                    text.invalidUtf8Sequences(),
                    text.invalidUtf8Bytes(),
                    counts.skipped(SkipReason.INVALID_UTF8) > 0 ? "skipped" : "replaced by U+FFFD",
                    text.nulBytes(),
                    String.format(java.util.Locale.ROOT, "%.3f", 100 * text.nonTextFraction()));
        }
        if (counts.documents() == 0) {
            throw new CorpusException(
                    counts.records() == 0
                            ? "the input is empty: no records to read"
                            : "the input holds no usable text: " + counts.records() + " records read, all skipped ("
                                    + counts.describeSkipped(false) + ")" + examples(counts));
        }
        if (counts.badFraction() > maxBadFraction) {
            throw new CorpusException(String.format(
                    "%d of %d records (%.2f%%) are damaged (%s)%s; more than"
                            + " pacer.data.max-bad-fraction = %s: fix the input or raise the limit",
                    counts.bad(),
                    counts.records(),
                    100 * counts.badFraction(),
                    counts.describeSkipped(true),
                    examples(counts),
                    maxBadFraction));
        }
    }

    private static String examples(SourceCounts counts) {
        if (counts.examples().isEmpty()) {
            return "";
        }
        SourceCounts.Example e = counts.examples().get(0);
        return "; e.g. " + e.where() + ": " + e.reason() + (e.detail().isEmpty() ? "" : " (" + e.detail() + ")");
    }
}
