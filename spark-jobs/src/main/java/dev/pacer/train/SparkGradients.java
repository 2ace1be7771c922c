package dev.pacer.train;

import dev.pacer.data.CorpusPartition;
import dev.pacer.hidlr.ProbePlan;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * {@link GradientSource} on Spark: the weights go out as a broadcast, one job of
 * {@link GradientWorker} tasks runs over the cached corpus partitions, results come back in
 * partition order (so sums do not depend on task timing), and the broadcast is destroyed.
 */
public final class SparkGradients implements GradientSource {

    private final JavaSparkContext jsc;
    private final JavaRDD<CorpusPartition> data;
    private final GradientWorker worker;
    private double lastSendMs;

    public SparkGradients(JavaSparkContext jsc, JavaRDD<CorpusPartition> data, GradientWorker worker) {
        this.jsc = jsc;
        this.data = data;
        this.worker = worker;
    }

    @Override
    public List<StepResult> gradients(float[] weights, long step, boolean[] trainable, String label) {
        return run(label + " gradients", List.of(weights), b -> worker.gradientTask(b.get(0), step, trainable));
    }

    @Override
    public List<StepResult> validation(float[] weights, String label) {
        return run(label + " validation", List.of(weights), b -> worker.validationTask(b.get(0)));
    }

    @Override
    public List<ProbeResult> probe(
            float[] weights, float[] direction, ProbePlan plan, long step, int sequences, String label) {
        return run(
                label + " Hi-DLR probe (" + plan.points() + " forwards)",
                List.of(weights, direction),
                b -> worker.probeTask(b.get(0), b.get(1), plan, step, sequences));
    }

    /** Broadcast → one job over the partitions → results in partition order → destroy. */
    private <R> List<R> run(
            String description,
            List<float[]> arrays,
            Function<List<Broadcast<float[]>>, Function2<Integer, Iterator<CorpusPartition>, Iterator<R>>> task) {
        long t0 = System.nanoTime();
        List<Broadcast<float[]>> sent = new ArrayList<>();
        for (float[] a : arrays) {
            sent.add(jsc.broadcast(a));
        }
        lastSendMs = (System.nanoTime() - t0) / 1e6;
        try {
            jsc.setJobDescription(description);
            var closure = task.apply(sent);
            arrays.forEach(a -> DriverTraffic.broadcast((long) a.length * Float.BYTES));
            DriverTraffic.job(closure, data);
            return data.mapPartitionsWithIndex(closure, true).collect();
        } finally {
            sent.forEach(Broadcast::destroy);
        }
    }

    @Override
    public int partitions() {
        return worker.partitions();
    }

    @Override
    public double lastSendMs() {
        return lastSendMs;
    }
}
