package dev.pacer.train.sharded;

import dev.pacer.data.CorpusPartition;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@link Ranks} on Spark: every job is one task per partition of the cached corpus RDD, so rank
 * {@code p}'s task runs where partition {@code p} is cached, which is where it left its state.
 */
public final class SparkRanks implements Ranks {

    private final JavaSparkContext jsc;
    private final JavaRDD<CorpusPartition> data;

    public SparkRanks(JavaSparkContext jsc, JavaRDD<CorpusPartition> data) {
        this.jsc = jsc;
        this.data = data;
    }

    @Override
    public <R extends Serializable> List<R> run(String label, Task<R> task) {
        jsc.setJobDescription(label);
        dev.pacer.train.DriverTraffic.job(task, data.getNumPartitions());
        return data.mapPartitionsWithIndex(
                        (p, it) -> List.of(task.run(p, it.next())).iterator(), true)
                .collect();
    }

    @Override
    public void share(ShardSpec spec) {
        dev.pacer.train.DriverTraffic.broadcastOf(spec);
        spec.travelAs(jsc.broadcast(spec));
    }

    @Override
    public void unshare(ShardSpec spec) {
        org.apache.spark.broadcast.Broadcast<ShardSpec> b = spec.travelWhole();
        if (b != null) {
            b.destroy();
        }
    }

    @Override
    public int count() {
        return data.getNumPartitions();
    }
}
