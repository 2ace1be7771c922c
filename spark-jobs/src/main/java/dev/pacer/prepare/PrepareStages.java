package dev.pacer.prepare;

import dev.pacer.data.DocumentHash;
import dev.pacer.data.HadoopConf;
import dev.pacer.data.source.DocumentReader;
import dev.pacer.data.source.InputUnit;
import dev.pacer.data.source.ReadOptions;
import dev.pacer.data.source.RecordCollector;
import dev.pacer.data.source.SkipReason;
import dev.pacer.data.source.SourceCounts;
import dev.pacer.data.source.SourceFormat;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * The Spark side of {@code prepare}, stage by stage: read every input once (cached) and count it;
 * number the documents in input order; find the documents to drop (copies of an earlier document
 * with deduplication, documents an earlier version holds when appending); tokenize and write the
 * shards. Document {@code i} goes to shard {@code i mod S}, so the result depends only on the
 * inputs and settings, never on how Spark scheduled the tasks.
 */
final class PrepareStages {

    /** What the counting pass saw: each read partition's first document index, and the totals. */
    record Scan(long[] offsets, long documents, long utf8Bytes, SourceCounts counts) {}

    private final SparkSession spark;
    private final JavaSparkContext jsc;
    private final PrepareProgress progress;

    PrepareStages(SparkSession spark, JavaSparkContext jsc, PrepareProgress progress) {
        this.spark = spark;
        this.jsc = jsc;
        this.progress = progress;
    }

    /** Files in input order; consecutive non-Parquet files one task each, Parquet through Spark's reader. */
    JavaRDD<SourceItem> readFiles(List<InputUnit> units, ReadOptions options, HadoopConf conf) {
        jsc.setJobDescription("pacer prepare: read " + units.size() + " file(s)");
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
            RecordCollector c = new RecordCollector(options, counts, t -> out.add(SourceItem.document(t)));
            while (it.hasNext()) {
                DocumentReader.read(it.next(), options, conf.get(), c);
            }
            out.add(SourceItem.summary(counts));
            return out.iterator();
        });
    }

    /** The counting pass over the cached read. */
    Scan scan(JavaRDD<SourceItem> items) throws ExecutionException, InterruptedException {
        List<Tuple2<long[], SourceCounts>> scan = progress.await(
                "read",
                items.mapPartitions(it -> {
                            long[] docsAndBytes = new long[2];
                            SourceCounts counts = new SourceCounts();
                            while (it.hasNext()) {
                                SourceItem s = it.next();
                                if (s.isDocument()) {
                                    docsAndBytes[0]++;
                                    docsAndBytes[1] += s.text().getBytes(StandardCharsets.UTF_8).length;
                                } else {
                                    counts.merge(s.counts());
                                }
                            }
                            return List.of(new Tuple2<>(docsAndBytes, counts)).iterator();
                        })
                        .collectAsync());
        SourceCounts counts = new SourceCounts();
        long[] offsets = new long[scan.size()];
        long documents = 0;
        long bytes = 0;
        for (int p = 0; p < scan.size(); p++) {
            offsets[p] = documents;
            documents += scan.get(p)._1()[0];
            bytes += scan.get(p)._1()[1];
            counts.merge(scan.get(p)._2());
        }
        return new Scan(offsets, documents, bytes, counts);
    }

    /** Documents with their global index in input order; the first {@code maxDocuments} (0 = all). */
    static JavaPairRDD<Long, SourceItem> index(JavaRDD<SourceItem> items, long[] offsets, long maxDocuments) {
        return JavaPairRDD.fromJavaRDD(items.mapPartitionsWithIndex(
                (p, it) -> {
                    List<Tuple2<Long, SourceItem>> docs = new ArrayList<>();
                    long index = offsets[p];
                    while (it.hasNext()) {
                        SourceItem s = it.next();
                        if (s.isDocument()) {
                            if (maxDocuments == 0 || index < maxDocuments) {
                                docs.add(new Tuple2<>(index, s));
                            }
                            index++;
                        }
                    }
                    return docs.iterator();
                },
                true));
    }

    /**
     * Indices to drop, each in the shard of the document itself, sorted: every copy of a text after
     * its first (with {@code dedup}), and every document whose text an earlier version holds
     * ({@code earlier}: their hashes, null when not appending). A document that is both counts as
     * seen before.
     */
    JavaPairRDD<Long, SkipReason> drops(
            JavaPairRDD<Long, SourceItem> indexed, ShardPartitioner partitioner, boolean dedup, Dataset<Row> earlier) {
        JavaPairRDD<Long, SkipReason> drops = JavaPairRDD.fromJavaRDD(jsc.<Tuple2<Long, SkipReason>>emptyRDD());
        if (dedup) {
            drops = drops.union(indexed.mapToPair(t -> new Tuple2<>(DocumentHash.of(t._2().text()), t._1()))
                    .groupByKey()
                    .flatMapToPair(g -> {
                        List<Long> idx = new ArrayList<>();
                        g._2().forEach(idx::add);
                        idx.sort(Comparator.naturalOrder());
                        List<Tuple2<Long, SkipReason>> later = new ArrayList<>();
                        for (int i = 1; i < idx.size(); i++) {
                            later.add(new Tuple2<>(idx.get(i), SkipReason.DUPLICATE));
                        }
                        return later.iterator();
                    }));
        }
        if (earlier != null) {
            drops = drops.union(DocumentIndex.seenBefore(spark, indexed, earlier));
        }
        return drops.reduceByKey(partitioner, (a, b) -> a == SkipReason.SEEN_BEFORE ? a : b)
                .repartitionAndSortWithinPartitions(partitioner);
    }

    /** One task a shard: tokenize, split, pack, write; results in shard order. */
    List<ShardResult> writeShards(
            JavaPairRDD<Long, SourceItem> sharded, JavaPairRDD<Long, SkipReason> drops, ShardTask task, int shards)
            throws ExecutionException, InterruptedException {
        jsc.setJobDescription("pacer prepare: tokenize and write " + shards + " shards");
        List<ShardResult> results = new ArrayList<>(progress.await(
                "tokenize", sharded.zipPartitions(drops, task::write).collectAsync()));
        results.sort(Comparator.comparingInt(ShardResult::shard));
        return results;
    }
}
