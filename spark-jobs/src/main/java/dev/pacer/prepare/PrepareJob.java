package dev.pacer.prepare;

import dev.pacer.config.ConfigError;
import dev.pacer.data.CorpusException;
import dev.pacer.data.DataSettings;
import dev.pacer.data.DocumentHash;
import dev.pacer.data.HadoopConf;
import dev.pacer.data.shard.DatasetManifest;
import dev.pacer.data.shard.PreparedDataset;
import dev.pacer.data.shard.ShardInfo;
import dev.pacer.data.source.DocumentReader;
import dev.pacer.data.source.InputResolver;
import dev.pacer.data.source.InputUnit;
import dev.pacer.data.source.ReadOptions;
import dev.pacer.data.source.RecordCollector;
import dev.pacer.data.source.SkipReason;
import dev.pacer.data.source.SourceCounts;
import dev.pacer.data.source.SourceFormat;
import dev.pacer.data.tokenize.TokenizerSpec;
import dev.pacer.run.PacerSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * {@code pacer prepare}: any corpus on any Hadoop file system becomes a prepared dataset of
 * packed token shards and a manifest (docs/corpus-preparation.md).
 *
 * <p>Everything that can be checked without Spark is checked first: inputs exist, the tokenizer
 * loads, the output is new, half-written or (with {@code --overwrite}) a complete dataset. Then
 * three Spark jobs over one cached read: (1) read every file, one task a file (Parquet through
 * Spark's reader), counting records by outcome; the counts decide "no usable text" and the bad
 * fraction before any tokenizing. (2) Each document gets its global index in input order and goes
 * to shard {@code index mod S}, sorted by index; with deduplication the indices of later copies
 * of a text are sent to the same shards. (3) One task a shard tokenizes, splits and packs its
 * documents and writes the shard's training and validation files. The manifest is written last.
 * The result depends only on the inputs and settings, never on how Spark scheduled the tasks.
 */
public final class PrepareJob {

    private static final Logger LOG = LoggerFactory.getLogger(PrepareJob.class);
    private static final long AUTO_SHARD_BYTES = 64L << 20;
    static final String MARKER = "_PREPARING";

    /**
     * How a prepare run ended.
     *
     * @param alreadyComplete the output held a complete dataset and was left alone
     */
    public record Result(
            String output, DatasetManifest manifest, boolean alreadyComplete, double seconds, boolean settingsDiffer) {

        public long tokens() {
            long[] t = manifest.totals(ShardInfo.TRAIN);
            long[] v = manifest.totals(ShardInfo.VALIDATION);
            return t[1] + t[3] + v[1] + v[3];
        }
    }

    private final PacerSettings settings;
    private final List<String> inputs;
    private final String output;
    private final boolean overwrite;

    public PrepareJob(PacerSettings settings, List<String> inputs, String output, boolean overwrite) {
        this.settings = settings;
        this.inputs = List.copyOf(inputs);
        this.output = output;
        this.overwrite = overwrite;
    }

    public Result run() throws IOException {
        long t0 = System.nanoTime();
        DataSettings d = settings.data();
        Configuration hadoop = hadoopConf(settings, new Configuration());
        List<InputUnit> units;
        TokenizerSpec tokenizer;
        try {
            units = InputResolver.resolve(inputs, d.format(), hadoop);
            tokenizer = TokenizerSpec.resolve(d.tokenizer(), d.endOfDocument(), hadoop);
        } catch (CorpusException e) {
            throw new ConfigError(e.getMessage());
        }
        int seqLen = d.seqLen() > 0 ? d.seqLen() : settings.train().seqLen();
        int shards = d.shards() > 0 ? d.shards() : autoShards(units);
        Path out = new Path(output);
        FileSystem fs = PreparedDataset.fileSystem(out, hadoop);
        out = fs.makeQualified(out);
        List<String> inputNames = inputs.isEmpty() ? List.of(dev.pacer.data.BundledCorpus.NAME) : inputs;
        DatasetManifest.Settings manifestSettings = new DatasetManifest.Settings(
                d.format().id(),
                d.textUnit().name().toLowerCase(java.util.Locale.ROOT),
                d.textField(),
                d.invalidUtf8().name().toLowerCase(java.util.Locale.ROOT),
                d.validationFraction(),
                d.dedup(),
                d.maxDocuments(),
                d.maxBadFraction(),
                shards);
        String digest = DatasetManifest.configDigest(inputNames, manifestSettings, tokenizer.info(), seqLen);
        if (fs.exists(new Path(out, DatasetManifest.FILE)) && !overwrite) {
            PreparedDataset existing;
            try {
                existing = PreparedDataset.open(out.toString(), hadoop);
            } catch (CorpusException e) {
                throw new ConfigError("--output " + output + " holds a " + DatasetManifest.FILE
                        + " that cannot be read (" + e.getMessage() + "); pass --overwrite to replace the dataset");
            }
            boolean differ = !existing.manifest().configDigest().equals(digest);
            if (differ) {
                LOG.warn(
                        "{} holds a complete dataset prepared with other inputs or settings (config digest {}, these"
                                + " give {}); not rewritten: pass --overwrite to prepare it again",
                        out,
                        existing.manifest().configDigest().substring(0, 12),
                        digest.substring(0, 12));
            } else {
                LOG.info(
                        "{} already holds this prepared dataset (manifest {}); not rewritten",
                        out,
                        existing.manifestSha256().substring(0, 12));
            }
            return new Result(out.toString(), existing.manifest(), true, 0, differ);
        }
        clearOutput(fs, out);
        fs.mkdirs(out);
        try (OutputStream m = fs.create(new Path(out, MARKER), true)) {
            m.write(("{\"started\": \"" + Instant.now() + "\", \"config_digest\": \"" + digest + "\"}\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        LOG.info(
                "preparing {} file(s) from {} into {}: tokenizer {} (vocabulary {}), sequences of {} tokens,"
                        + " {} shards per split",
                units.size(),
                String.join(", ", inputNames),
                out,
                tokenizer.source(),
                tokenizer.vocabSize(),
                seqLen,
                shards);

        // a session that is already running (tests, notebooks) is used and left running
        boolean own = SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = SparkSession.builder().config(sparkConf()).getOrCreate();
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            PrepareProgress progress = new PrepareProgress(jsc, settings.progressLogSeconds());
            HadoopConf conf = new HadoopConf(jsc.hadoopConfiguration());
            try {
                DatasetManifest manifest = prepare(
                        spark,
                        jsc,
                        progress,
                        conf,
                        units,
                        inputNames,
                        tokenizer,
                        seqLen,
                        shards,
                        manifestSettings,
                        digest,
                        out);
                if (!tokenizer.isByte()) {
                    // the dataset carries its tokenizer: evaluation and export need no other path
                    try (OutputStream t =
                            fs.create(new Path(out, dev.pacer.data.shard.PreparedDataset.TOKENIZER_FILE), true)) {
                        t.write(tokenizer.jsonBytes());
                    }
                }
                try (OutputStream m = fs.create(new Path(out, DatasetManifest.FILE), true)) {
                    m.write(manifest.toJson());
                }
                fs.delete(new Path(out, MARKER), false);
                double seconds = (System.nanoTime() - t0) / 1e9;
                Result r = new Result(out.toString(), manifest, false, seconds, false);
                LOG.info(
                        "prepared {}: {} documents, {} tokens, {} train + {} validation sequences in {} s ({} tokens/s)",
                        out,
                        manifest.totals(ShardInfo.TRAIN)[0] + manifest.totals(ShardInfo.VALIDATION)[0],
                        r.tokens(),
                        manifest.totals(ShardInfo.TRAIN)[2],
                        manifest.totals(ShardInfo.VALIDATION)[2],
                        String.format("%.1f", seconds),
                        String.format("%.0f", r.tokens() / seconds));
                return r;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (IOException e) {
                throw e;
            } catch (Exception e) { // Spark's SparkException is checked but thrown from Scala unannounced
                throw explain(e);
            }
        } finally {
            if (own) {
                spark.stop();
            }
        }
    }

    private DatasetManifest prepare(
            SparkSession spark,
            JavaSparkContext jsc,
            PrepareProgress progress,
            HadoopConf conf,
            List<InputUnit> units,
            List<String> inputNames,
            TokenizerSpec tokenizer,
            int seqLen,
            int shards,
            DatasetManifest.Settings manifestSettings,
            String digest,
            Path out)
            throws ExecutionException, InterruptedException {
        DataSettings d = settings.data();
        // (1) read: one cached pass, counted
        jsc.setJobDescription("pacer prepare: read " + units.size() + " file(s)");
        JavaRDD<SourceItem> items =
                read(spark, jsc, units, d.readOptions(), conf).persist(StorageLevel.MEMORY_AND_DISK());
        List<Tuple2<Long, SourceCounts>> scan = progress.await(
                "read",
                items.mapPartitions(it -> {
                            long docs = 0;
                            SourceCounts counts = new SourceCounts();
                            while (it.hasNext()) {
                                SourceItem s = it.next();
                                if (s.isDocument()) {
                                    docs++;
                                } else {
                                    counts.merge(s.counts());
                                }
                            }
                            return List.of(new Tuple2<>(docs, counts)).iterator();
                        })
                        .collectAsync());
        SourceCounts counts = new SourceCounts();
        long[] offsets = new long[scan.size()];
        long documents = 0;
        for (int p = 0; p < scan.size(); p++) {
            offsets[p] = documents;
            documents += scan.get(p)._1();
            counts.merge(scan.get(p)._2());
        }
        check(counts, d.maxBadFraction());

        // (2) global index in input order, shard = index mod S
        long maxDocuments = d.maxDocuments();
        JavaPairRDD<Long, String> indexed = JavaPairRDD.fromJavaRDD(items.mapPartitionsWithIndex(
                (p, it) -> {
                    List<Tuple2<Long, String>> docs = new ArrayList<>();
                    long index = offsets[p];
                    while (it.hasNext()) {
                        SourceItem s = it.next();
                        if (s.isDocument()) {
                            if (maxDocuments == 0 || index < maxDocuments) {
                                docs.add(new Tuple2<>(index, s.text()));
                            }
                            index++;
                        }
                    }
                    return docs.iterator();
                },
                true));
        ShardPartitioner partitioner = new ShardPartitioner(shards);
        JavaPairRDD<Long, String> sharded = indexed.repartitionAndSortWithinPartitions(partitioner);
        JavaPairRDD<Long, Boolean> duplicates;
        if (d.dedup()) {
            // every copy of a text after its first, by index: the same shard as the copy itself
            duplicates = indexed.mapToPair(t -> new Tuple2<>(DocumentHash.of(t._2()), t._1()))
                    .groupByKey()
                    .flatMapToPair(g -> {
                        List<Long> idx = new ArrayList<>();
                        g._2().forEach(idx::add);
                        idx.sort(Comparator.naturalOrder());
                        List<Tuple2<Long, Boolean>> later = new ArrayList<>();
                        for (int i = 1; i < idx.size(); i++) {
                            later.add(new Tuple2<>(idx.get(i), Boolean.TRUE));
                        }
                        return later.iterator();
                    })
                    .repartitionAndSortWithinPartitions(partitioner);
        } else {
            duplicates = JavaPairRDD.fromJavaRDD(jsc.<Tuple2<Long, Boolean>>emptyRDD())
                    .partitionBy(partitioner);
        }

        // (3) one task a shard: tokenize, split, pack, write
        Broadcast<TokenizerSpec> shipped = jsc.broadcast(tokenizer);
        ShardTask task = new ShardTask(out.toString(), shards, shipped, d.validationFraction(), seqLen + 1, conf);
        jsc.setJobDescription("pacer prepare: tokenize and write " + shards + " shards");
        List<ShardResult> results = progress.await(
                "tokenize", sharded.zipPartitions(duplicates, task::write).collectAsync());
        items.unpersist();
        shipped.destroy();
        List<ShardInfo> files = new ArrayList<>();
        long dropped = 0;
        results = new ArrayList<>(results);
        results.sort(Comparator.comparingInt(ShardResult::shard));
        for (ShardResult r : results) {
            files.add(r.train());
            dropped += r.duplicates();
        }
        results.forEach(r -> files.add(r.validation()));
        counts.dropped(SkipReason.OVER_MAX_DOCUMENTS, maxDocuments > 0 ? Math.max(0, documents - maxDocuments) : 0);
        counts.dropped(SkipReason.DUPLICATE, dropped);
        return new DatasetManifest(
                Instant.now().toString(),
                inputNames,
                units,
                manifestSettings,
                tokenizer.info(),
                seqLen,
                counts,
                files,
                digest);
    }

    /** The read stage: inputs in order, consecutive non-Parquet files one task each. */
    private static JavaRDD<SourceItem> read(
            SparkSession spark, JavaSparkContext jsc, List<InputUnit> units, ReadOptions options, HadoopConf conf) {
        List<JavaRDD<SourceItem>> parts = new ArrayList<>();
        List<InputUnit> run = new ArrayList<>();
        boolean parquet = false;
        for (int i = 0; i <= units.size(); i++) {
            boolean end = i == units.size();
            boolean isParquet = !end && units.get(i).format() == SourceFormat.PARQUET;
            if (!run.isEmpty() && (end || isParquet != parquet)) {
                parts.add(
                        parquet
                                ? ParquetSource.read(spark, run, options)
                                : files(jsc, List.copyOf(run), options, conf));
                run.clear();
            }
            if (!end) {
                run.add(units.get(i));
                parquet = isParquet;
            }
        }
        JavaRDD<SourceItem> all = parts.get(0);
        for (JavaRDD<SourceItem> next : parts.subList(1, parts.size())) {
            all = all.union(next); // keeps partition order: the first RDD's partitions, then the next's
        }
        return all;
    }

    private static JavaRDD<SourceItem> files(
            JavaSparkContext jsc, List<InputUnit> units, ReadOptions options, HadoopConf conf) {
        return jsc.parallelize(units, units.size()).mapPartitions(it -> {
            List<SourceItem> out = new ArrayList<>();
            SourceCounts counts = new SourceCounts();
            RecordCollector c =
                    new RecordCollector(options.invalidUtf8(), counts, t -> out.add(SourceItem.document(t)));
            while (it.hasNext()) {
                DocumentReader.read(it.next(), options, conf.get(), c);
            }
            out.add(SourceItem.summary(counts));
            return out.iterator();
        });
    }

    /** No usable text, or too many damaged records: fail before tokenizing anything. */
    static void check(SourceCounts counts, double maxBadFraction) {
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

    /**
     * Removes what may be removed before writing: an empty directory, a half-written dataset
     * (our marker, no manifest) or, with {@code --overwrite}, a complete one. Anything else is
     * someone else's directory and is refused.
     */
    private void clearOutput(FileSystem fs, Path out) throws IOException {
        if (!fs.exists(out)) {
            return;
        }
        if (!fs.getFileStatus(out).isDirectory()) {
            throw new ConfigError("--output " + output + " is a file; give a directory for the prepared dataset");
        }
        FileStatus[] children = fs.listStatus(out);
        if (children.length == 0) {
            return;
        }
        boolean complete = fs.exists(new Path(out, DatasetManifest.FILE));
        boolean ours = complete || fs.exists(new Path(out, MARKER));
        if (!ours) {
            throw new ConfigError("--output " + output + " exists and is not a Pacer dataset (no "
                    + DatasetManifest.FILE + ", no " + MARKER + " marker); give a new or empty directory");
        }
        LOG.warn(
                "{} {}; replacing it",
                out,
                complete
                        ? "holds a complete dataset and --overwrite was given"
                        : "holds a half-written dataset (no " + DatasetManifest.FILE + ")");
        if (!fs.delete(out, true)) {
            throw new IOException("cannot delete " + out);
        }
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

    /** 8 shards, or one per 64 MiB of input, rounded up to a multiple of 8. */
    static int autoShards(List<InputUnit> units) {
        long bytes = units.stream().mapToLong(u -> Math.max(0, u.length())).sum();
        long n = Math.max(8, (bytes + AUTO_SHARD_BYTES - 1) / AUTO_SHARD_BYTES);
        return (int) Math.min(100_000, (n + 7) / 8 * 8);
    }

    /** A bad-input exception from anywhere in a Spark failure's causes, or one naming its root. */
    static RuntimeException explain(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CorpusException c) {
                return new CorpusException(c.getMessage(), c);
            }
            if (t instanceof ConfigError c) {
                return c;
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String first =
                CorpusException.firstLine(e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e);
        if (first.contains("Encountered error while reading file")
                || first.contains("FAILED_READ_FILE")
                || first.contains("Could not read footer")
                || first.contains("CANNOT_READ_FILE_FOOTER")) {
            return new CorpusException(
                    first.replaceAll("^.*?(\\[[A-Z_.]+\\])", "$1") + " (" + CorpusException.firstLine(root)
                            + "); the file is corrupt or truncated",
                    e);
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException(first, e);
    }

    private SparkConf sparkConf() {
        return settings.sparkConf("pacer prepare");
    }
}
