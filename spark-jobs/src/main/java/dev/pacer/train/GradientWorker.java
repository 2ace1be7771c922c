package dev.pacer.train;

import ai.djl.Device;
import dev.pacer.data.CorpusPartition;
import dev.pacer.engine.DeviceChoice;
import dev.pacer.engine.EngineThreads;
import dev.pacer.engine.ModelReplica;
import dev.pacer.model.GptConfig;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * The executor side of a training step (DESIGN section 2). Stateless: everything it needs comes
 * in the closure and the weight broadcast, so a retried task computes the same result.
 */
public final class GradientWorker implements Serializable {

    private static final long serialVersionUID = 1L;

    private final GptConfig config;
    private final long seed;
    private final int globalBatch;
    private final int partitions;
    private final int microBatch;
    private final int evalSequences;
    private final int threads;
    private final DeviceChoice.Setting device;

    public GradientWorker(GptConfig config, long seed, int globalBatch, int partitions, int microBatch,
            int evalSequences, int threads, DeviceChoice.Setting device) {
        this.config = config;
        this.seed = seed;
        this.globalBatch = globalBatch;
        this.partitions = partitions;
        this.microBatch = microBatch;
        this.evalSequences = evalSequences;
        this.threads = threads;
        this.device = device;
    }

    /** Summed gradient, loss and token count of partition {@code p}'s share of step {@code step}. */
    public StepResult gradients(CorpusPartition data, int p, float[] weights, long step) {
        EngineThreads.configure(threads);
        List<int[]> batch = data.train().sample(BatchSeeds.derive(seed, step, p),
                BatchSeeds.share(globalBatch, partitions, p));
        ModelReplica replica = ReplicaPool.borrow(config, taskDevice());
        try {
            long t0 = System.nanoTime();
            float[] grads = new float[weights.length];
            ModelReplica.LossSum sum = replica.gradients(weights, batch, microBatch, grads);
            return new StepResult(p, grads, sum.loss(), sum.tokens(), System.nanoTime() - t0);
        } finally {
            ReplicaPool.release(replica);
        }
    }

    /** Summed validation loss over partition {@code p}'s fixed share of the evaluation set. */
    public StepResult validation(CorpusPartition data, int p, float[] weights) {
        EngineThreads.configure(threads);
        List<int[]> seqs = data.validation().head(BatchSeeds.share(evalSequences, partitions, p));
        if (seqs.isEmpty()) {
            return new StepResult(p, null, 0, 0, 0);
        }
        ModelReplica replica = ReplicaPool.borrow(config, taskDevice());
        try {
            long t0 = System.nanoTime();
            ModelReplica.LossSum sum = replica.loss(weights, seqs, microBatch);
            return new StepResult(p, null, sum.loss(), sum.tokens(), System.nanoTime() - t0);
        } finally {
            ReplicaPool.release(replica);
        }
    }

    private Device taskDevice() {
        DeviceChoice choice = ExecutorDevice.choose(device);
        return choice.isGpu() ? Device.gpu(choice.gpu()) : Device.cpu();
    }

    /** The Spark function for one gradient step over the cached corpus partitions. */
    public Function2<Integer, Iterator<CorpusPartition>, Iterator<StepResult>> gradientTask(
            Broadcast<float[]> weights, long step) {
        return (p, it) -> List.of(gradients(it.next(), p, weights.value(), step)).iterator();
    }

    /** The Spark function for one validation pass. */
    public Function2<Integer, Iterator<CorpusPartition>, Iterator<StepResult>> validationTask(
            Broadcast<float[]> weights) {
        return (p, it) -> List.of(validation(it.next(), p, weights.value())).iterator();
    }
}
