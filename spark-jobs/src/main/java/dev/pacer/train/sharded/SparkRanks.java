package dev.pacer.train.sharded;

import dev.pacer.data.CorpusPartition;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

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

    /** {@code local[N]}: the tasks run in the driver's JVM. */
    @Override
    public boolean oneJvm() {
        return jsc.isLocal();
    }

    @Override
    public <R extends Serializable> List<R> run(String label, Task<R> task) {
        jsc.setJobDescription(label);
        dev.pacer.train.DriverTraffic.job(task, data);
        return data.mapPartitionsWithIndex(
                        (p, it) -> List.of(task.run(p, it.next())).iterator(), true)
                .collect();
    }

    /**
     * A barrier stage over the cached data: Spark starts every rank's task at once (or refuses the
     * job before any task runs, when it has too few slots or dynamic allocation is on). The stage's
     * own synchronisation ({@link BarrierTaskContext#barrier}) is not used: a task waiting in it
     * sleeps a whole second between checks. Tasks wait for each other's blocks instead.
     */
    @Override
    public <R extends Serializable> List<R> runTogether(String label, Task<R> task) {
        jsc.setJobDescription(label);
        dev.pacer.train.DriverTraffic.job(task, data);
        @SuppressWarnings("unchecked")
        ClassTag<R> tag = (ClassTag<R>) (ClassTag<?>) ClassTag$.MODULE$.apply(Object.class);
        try {
            return new JavaRDD<>(data.rdd().barrier().mapPartitions(new Together<>(task), true, tag), tag).collect();
        } catch (Exception e) { // Spark's SparkException is checked in Java and undeclared
            throw refusalOr(e);
        }
    }

    /**
     * {@link TogetherRefused} when Spark refused the barrier job itself (its scheduler's
     * {@code BarrierJobAllocationFailed}: too few slots for every rank, or dynamic allocation);
     * anything else as it is.
     */
    private static RuntimeException refusalOr(Exception e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            for (Class<?> k = c.getClass(); k != null; k = k.getSuperclass()) {
                if (k.getSimpleName().equals("BarrierJobAllocationFailed")) {
                    return new TogetherRefused(
                            String.valueOf(c.getMessage()).lines().findFirst().orElse(""));
                }
            }
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
    }

    /** A rank's task in a barrier stage: its rank is the partition. */
    private static final class Together<R extends Serializable>
            extends AbstractFunction1<scala.collection.Iterator<CorpusPartition>, scala.collection.Iterator<R>>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final Task<R> task;

        Together(Task<R> task) {
            this.task = task;
        }

        @Override
        public scala.collection.Iterator<R> apply(scala.collection.Iterator<CorpusPartition> it) {
            BarrierTaskContext ctx = BarrierTaskContext.get();
            R r = task.run(ctx.partitionId(), it.next());
            return CollectionConverters.asScala(List.of(r).iterator());
        }
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
