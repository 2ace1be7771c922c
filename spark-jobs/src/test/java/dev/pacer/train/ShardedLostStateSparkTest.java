package dev.pacer.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.data.CorpusPartition;
import dev.pacer.testing.LocalSpark;
import dev.pacer.train.sharded.LostStateException;
import dev.pacer.train.sharded.ShardedBackend;
import dev.pacer.train.sharded.SparkRanks;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through Spark, a sharded job whose executors hold none of the run's state ends in
 * {@link LostStateException}, the signal on which a run restarts from its newest checkpoint.
 * Spark reports a failed job as a {@code SparkException}, a checked exception its Java API throws
 * undeclared, so it must be recognised whatever its type.
 */
class ShardedLostStateSparkTest {

    @TempDir
    Path tmp;

    @Test
    void executorsWithoutTheRunsStateAreLostState() {
        LocalRun run = new LocalRun(tmp.resolve("run"), "", LocalRun.Update.SHARDED);
        SparkSession spark = LocalSpark.start("lost-state-test", tmp.resolve("warehouse"));
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            JavaRDD<CorpusPartition> data =
                    CorpusData.open(run.settings, new Configuration()).load(jsc);
            ShardedBackend backend = new ShardedBackend(
                    new SparkRanks(jsc, data),
                    new PretrainJob(run.settings, 0, List.of()).worker(run.layout, 1),
                    run.layout,
                    run.settings.optimizer(),
                    run.settings.train().gradClip(),
                    jsc.hadoopConfiguration());
            // never started: no executor holds this run's shards
            LostStateException e = assertThrows(LostStateException.class, () -> backend.validationLoss("probe"));
            assertTrue(e.getMessage().contains("has no state"), e.getMessage());
        } finally {
            spark.stop();
        }
    }
}
