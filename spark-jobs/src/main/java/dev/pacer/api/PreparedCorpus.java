package dev.pacer.api;

import dev.pacer.config.ConfigError;
import dev.pacer.data.CorpusException;
import dev.pacer.data.HadoopConf;
import dev.pacer.data.shard.DatasetVersion;
import dev.pacer.data.shard.PreparedDataset;
import dev.pacer.data.shard.ShardInfo;
import dev.pacer.data.source.SkipReason;
import dev.pacer.data.tokenize.TextTokenizer;
import dev.pacer.data.tokenize.TokenizerSpec;
import dev.pacer.prepare.DocumentIndex;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * A prepared dataset read back as DataFrames, for quality checks in a notebook or a SQL job:
 * its documents, its packed sequences (token ids and their decoded text) and its statistics per
 * version and per shard. Every version the dataset holds is included, with a {@code version}
 * column.
 *
 * <pre>{@code
 * PreparedCorpus corpus = PreparedCorpus.open(spark, "hdfs:///pacer/data/web");
 * corpus.versions().show();                                     // what each night added
 * corpus.documents().groupBy("version", "split").count().show();
 * corpus.sequences().where("version = 3").select("text").show(5, false);
 * }</pre>
 *
 * <p>The manifests are read when the dataset is opened; the DataFrames read the files lazily, when
 * an action runs. Shards are checked against their manifest (size, SHA-256) as they are read.
 */
public final class PreparedCorpus {

    /** Columns of {@link #sequences()}. */
    public static final StructType SEQUENCES = new StructType()
            .add("version", DataTypes.IntegerType, false)
            .add("split", DataTypes.StringType, false)
            .add("shard", DataTypes.IntegerType, false)
            .add("row", DataTypes.LongType, false)
            .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add("text", DataTypes.StringType, false);

    private final SparkSession spark;
    private final PreparedDataset dataset;
    private final TokenizerSpec tokenizer;

    private PreparedCorpus(SparkSession spark, PreparedDataset dataset, TokenizerSpec tokenizer) {
        this.spark = spark;
        this.dataset = dataset;
        this.tokenizer = tokenizer;
    }

    /**
     * Opens the dataset at {@code location} (every version); a missing or damaged manifest is a
     * {@link ConfigError} naming it.
     */
    public static PreparedCorpus open(SparkSession spark, String location) {
        var conf = spark.sparkContext().hadoopConfiguration();
        PreparedDataset dataset;
        try {
            dataset = PreparedDataset.open(location, conf);
        } catch (CorpusException e) {
            throw new ConfigError(e.getMessage());
        }
        TokenizerSpec tokenizer;
        try {
            tokenizer = dataset.tokenizer(conf);
        } catch (CorpusException e) {
            throw new ConfigError(e.getMessage());
        }
        return new PreparedCorpus(spark, dataset, tokenizer);
    }

    /** The dataset's fully qualified location. */
    public String location() {
        return dataset.root();
    }

    /** Number of versions (1 for a dataset never appended to). */
    public int versionCount() {
        return dataset.versionsAvailable();
    }

    /**
     * One row per packed document: {@code version}, {@code document_index} (in that version's
     * input order), {@code id} (the id column's value, or null), {@code hash} (32 hex digits, the
     * first 128 bits of the text's SHA-256), {@code split}, {@code shard} and {@code utf8_bytes}.
     */
    public Dataset<Row> documents() {
        Dataset<Row> all = null;
        for (int v = 1; v <= dataset.versionsAvailable(); v++) {
            Dataset<Row> one = spark.read()
                    .schema(DocumentIndex.SCHEMA)
                    .parquet(DocumentIndex.location(dataset.root(), v).toString())
                    .withColumn("version", functions.lit(v));
            all = all == null ? one : all.unionByName(one);
        }
        return all.select("version", "document_index", "id", "hash", "split", "shard", "utf8_bytes");
    }

    /**
     * One row per packed sequence (row of {@code seq_len + 1} tokens): {@code version},
     * {@code split}, {@code shard}, {@code row} (within the shard), {@code tokens} and
     * {@code text}, the tokens decoded (the byte tokenizer shows end-of-document as a newline). One
     * task a shard.
     */
    public Dataset<Row> sequences() {
        List<Tuple2<Integer, ShardInfo>> shards = new ArrayList<>();
        for (int v = 1; v <= dataset.versionsAvailable(); v++) {
            for (ShardInfo s : dataset.versionShards(v)) {
                shards.add(new Tuple2<>(v, s));
            }
        }
        PreparedDataset ds = dataset;
        TokenizerSpec spec = tokenizer;
        int rowLength = dataset.manifest().rowLength();
        HadoopConf conf = new HadoopConf(spark.sparkContext().hadoopConfiguration());
        JavaRDD<Row> rows = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(shards, Math.max(1, shards.size()))
                .flatMap(t -> {
                    char[] tokens = ds.readShard(t._2(), conf.get());
                    TextTokenizer decoder = spec.open();
                    List<Row> out = new ArrayList<>(tokens.length / rowLength);
                    for (int r = 0; r * rowLength < tokens.length; r++) {
                        int[] ids = new int[rowLength];
                        for (int i = 0; i < rowLength; i++) {
                            ids[i] = tokens[r * rowLength + i];
                        }
                        out.add(RowFactory.create(
                                t._1(),
                                t._2().split(),
                                t._2().index(),
                                (long) r,
                                java.util.Arrays.stream(ids).boxed().toArray(Integer[]::new),
                                decoder.decode(ids)));
                    }
                    return out.iterator();
                });
        return spark.createDataFrame(rows, SEQUENCES);
    }

    /**
     * One row per version, from the manifests: {@code version}, {@code created}, {@code inputs},
     * {@code documents_read}, {@code seen_before}, {@code duplicates}, {@code documents},
     * {@code tokens}, {@code train_sequences}, {@code validation_sequences} and {@code skipped} (a
     * map from reason to count: empty, duplicate, seen_before, malformed_json, ...).
     */
    public Dataset<Row> versions() {
        List<Row> rows = new ArrayList<>();
        for (int v = 1; v <= dataset.versionsAvailable(); v++) {
            DatasetVersion e = dataset.versionInfo(v);
            Map<String, Long> skipped = new HashMap<>();
            for (SkipReason r : SkipReason.values()) {
                skipped.put(r.key(), dataset.versionManifest(v).counts().skipped(r));
            }
            rows.add(RowFactory.create(
                    v,
                    e.created(),
                    e.inputs().toArray(String[]::new),
                    e.documentsRead(),
                    e.seenBefore(),
                    e.duplicates(),
                    e.documents(),
                    e.tokens(),
                    e.trainSequences(),
                    e.validationSequences(),
                    scala.jdk.javaapi.CollectionConverters.asScala(skipped)));
        }
        StructType schema = new StructType()
                .add("version", DataTypes.IntegerType, false)
                .add("created", DataTypes.StringType, false)
                .add("inputs", DataTypes.createArrayType(DataTypes.StringType), false)
                .add("documents_read", DataTypes.LongType, false)
                .add("seen_before", DataTypes.LongType, false)
                .add("duplicates", DataTypes.LongType, false)
                .add("documents", DataTypes.LongType, false)
                .add("tokens", DataTypes.LongType, false)
                .add("train_sequences", DataTypes.LongType, false)
                .add("validation_sequences", DataTypes.LongType, false)
                .add("skipped", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType), false);
        return spark.createDataFrame(rows, schema);
    }

    /**
     * One row per shard file, from the manifests: {@code version}, {@code split}, {@code shard},
     * {@code path}, {@code rows}, {@code documents}, {@code tokens}, {@code dropped_tail_tokens},
     * {@code utf8_bytes}, {@code bytes} and {@code sha256}.
     */
    public Dataset<Row> shards() {
        List<Row> rows = new ArrayList<>();
        for (int v = 1; v <= dataset.versionsAvailable(); v++) {
            for (ShardInfo s : dataset.versionShards(v)) {
                rows.add(RowFactory.create(
                        v,
                        s.split(),
                        s.index(),
                        s.path(),
                        s.rows(),
                        s.documents(),
                        s.tokens(),
                        s.droppedTailTokens(),
                        s.utf8Bytes(),
                        s.bytes(),
                        s.sha256()));
            }
        }
        StructType schema = new StructType()
                .add("version", DataTypes.IntegerType, false)
                .add("split", DataTypes.StringType, false)
                .add("shard", DataTypes.IntegerType, false)
                .add("path", DataTypes.StringType, false)
                .add("rows", DataTypes.LongType, false)
                .add("documents", DataTypes.LongType, false)
                .add("tokens", DataTypes.LongType, false)
                .add("dropped_tail_tokens", DataTypes.LongType, false)
                .add("utf8_bytes", DataTypes.LongType, false)
                .add("bytes", DataTypes.LongType, false)
                .add("sha256", DataTypes.StringType, false);
        return spark.createDataFrame(rows, schema);
    }
}
