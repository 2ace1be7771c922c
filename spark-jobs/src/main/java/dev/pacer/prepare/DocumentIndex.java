package dev.pacer.prepare;

import dev.pacer.config.ConfigError;
import dev.pacer.data.DocumentHash;
import dev.pacer.data.DocumentSplit;
import dev.pacer.data.shard.DatasetVersion;
import dev.pacer.data.shard.PreparedDataset;
import dev.pacer.data.shard.ShardInfo;
import dev.pacer.data.source.SkipReason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * {@code documents/} in each version's directory: one Parquet row per packed document, with its
 * index in the version's input order, its id (from an id column, else null), its content hash,
 * split, shard and size. {@code prepare --append} reads the hashes of every earlier version to
 * drop documents it has seen; a data engineer reads the table to trace a document to a version.
 */
public final class DocumentIndex {

    /** The directory of the index inside a version's directory. */
    public static final String DIRECTORY = "documents";

    /** Columns of the index. */
    public static final StructType SCHEMA = new StructType()
            .add("document_index", DataTypes.LongType, false)
            .add("id", DataTypes.StringType, true)
            .add("hash", DataTypes.StringType, false)
            .add("split", DataTypes.StringType, false)
            .add("shard", DataTypes.IntegerType, false)
            .add("utf8_bytes", DataTypes.LongType, false);

    private static final StructType HASHES =
            new StructType().add("document_index", DataTypes.LongType, false).add("hash", DataTypes.StringType, false);

    private DocumentIndex() {}

    /** 128 bits of the text's SHA-256 as 32 hex digits: the key "seen before" compares. */
    static String hash(String text) {
        DocumentHash h = DocumentHash.of(text);
        return HexFormat.of().toHexDigits(h.hi()) + HexFormat.of().toHexDigits(h.lo());
    }

    /** The index's location for version {@code version} of the dataset at {@code root}. */
    public static Path location(String root, int version) {
        String dir = DatasetVersion.directoryName(version);
        return new Path(dir.isEmpty() ? new Path(root) : new Path(new Path(root), dir), DIRECTORY);
    }

    /** Writes the index of the kept documents of {@code sharded} (partition = shard) into {@code target}. */
    static void write(
            SparkSession spark,
            JavaPairRDD<Long, SourceItem> sharded,
            JavaPairRDD<Long, SkipReason> drops,
            double validationFraction,
            Path target) {
        FlatMapFunction2<Iterator<Tuple2<Long, SourceItem>>, Iterator<Tuple2<Long, SkipReason>>, Row> rows =
                (docs, dropped) -> {
                    int shard = org.apache.spark.TaskContext.getPartitionId();
                    DocumentSplit split = new DocumentSplit(validationFraction);
                    KeptDocuments kept = new KeptDocuments(docs, dropped);
                    List<Row> out = new ArrayList<>();
                    while (kept.hasNext()) {
                        Tuple2<Long, SourceItem> d = kept.next();
                        String text = d._2().text();
                        out.add(RowFactory.create(
                                d._1(),
                                d._2().id(),
                                hash(text),
                                split.isValidation(text) ? ShardInfo.VALIDATION : ShardInfo.TRAIN,
                                shard,
                                (long) text.getBytes(StandardCharsets.UTF_8).length));
                    }
                    return out.iterator();
                };
        JavaRDD<Row> index = sharded.zipPartitions(drops, rows);
        spark.createDataFrame(index, SCHEMA)
                .write()
                .mode(SaveMode.ErrorIfExists)
                .parquet(new Path(target, DIRECTORY).toString());
    }

    /**
     * Refuses, before Spark starts, to grow a dataset with a version that has no index (one
     * prepared before indexes were written): its documents could not be recognised.
     */
    static void requirePresent(PreparedDataset dataset, Configuration conf) throws IOException {
        for (int v = 1; v <= dataset.versionsAvailable(); v++) {
            Path p = location(dataset.root(), v);
            FileSystem fs = p.getFileSystem(conf);
            if (!fs.exists(p)) {
                throw new ConfigError("--append: version " + v + " of " + dataset.root() + " has no " + DIRECTORY
                        + "/ index of its documents (it was prepared by an earlier Pacer), so documents seen"
                        + " before cannot be recognised; prepare the dataset again with --overwrite");
            }
        }
    }

    /** Hashes of the documents of every version of {@code dataset}. */
    static Dataset<Row> earlierHashes(SparkSession spark, PreparedDataset dataset) {
        List<String> paths = new ArrayList<>();
        for (int v = 1; v <= dataset.versionsAvailable(); v++) {
            paths.add(location(dataset.root(), v).toString());
        }
        return spark.read().schema(SCHEMA).parquet(paths.toArray(String[]::new)).select("hash");
    }

    /** Indices of the documents of {@code indexed} whose hash is among {@code earlier}'s. */
    static JavaPairRDD<Long, SkipReason> seenBefore(
            SparkSession spark, JavaPairRDD<Long, SourceItem> indexed, Dataset<Row> earlier) {
        Dataset<Row> fresh =
                spark.createDataFrame(indexed.map(t -> RowFactory.create(t._1(), hash(t._2().text()))), HASHES);
        return fresh.join(earlier, fresh.col("hash").equalTo(earlier.col("hash")), "left_semi")
                .javaRDD()
                .mapToPair(r -> new Tuple2<>(r.getLong(0), SkipReason.SEEN_BEFORE));
    }
}
