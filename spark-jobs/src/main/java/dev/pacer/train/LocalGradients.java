package dev.pacer.train;

import dev.pacer.data.CorpusPartition;
import dev.pacer.hidlr.ProbePlan;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link GradientSource} in this JVM, without Spark: the partitions' data in memory and the same
 * {@link GradientWorker} computing each partition's share in partition order, so its sums equal
 * the Spark path's on the same machine. Lets tests drive the real training loop through resume,
 * rollback, replay, probes and checkpoints in milliseconds.
 */
public final class LocalGradients implements GradientSource {

    private final List<CorpusPartition> data;
    private final GradientWorker worker;

    public LocalGradients(List<CorpusPartition> data, GradientWorker worker) {
        if (data.size() != worker.partitions()) {
            throw new IllegalArgumentException(
                    data.size() + " partitions of data for a worker of " + worker.partitions() + " partitions");
        }
        this.data = List.copyOf(data);
        this.worker = worker;
    }

    @Override
    public List<StepResult> gradients(float[] weights, long step, boolean[] trainable, String label) {
        List<StepResult> out = new ArrayList<>();
        for (int p = 0; p < data.size(); p++) {
            out.add(worker.gradients(data.get(p), p, weights, step, trainable));
        }
        return out;
    }

    @Override
    public List<StepResult> validation(float[] weights, String label) {
        List<StepResult> out = new ArrayList<>();
        for (int p = 0; p < data.size(); p++) {
            out.add(worker.validation(data.get(p), p, weights));
        }
        return out;
    }

    @Override
    public List<ProbeResult> probe(
            float[] weights, float[] direction, ProbePlan plan, long step, int sequences, String label) {
        List<ProbeResult> out = new ArrayList<>();
        for (int p = 0; p < data.size(); p++) {
            out.add(worker.probe(data.get(p), p, weights, direction, plan, step, sequences));
        }
        return out;
    }

    @Override
    public int partitions() {
        return data.size();
    }

    @Override
    public double lastSendMs() {
        return 0;
    }
}
