package dev.pacer.train;

import ai.djl.Device;
import dev.pacer.data.CorpusPartition;
import dev.pacer.engine.Compute;
import dev.pacer.engine.DeviceChoice;
import dev.pacer.engine.EngineThreads;
import dev.pacer.engine.ModelReplica;
import dev.pacer.engine.Precision;
import dev.pacer.engine.Replica;
import dev.pacer.hidlr.ProbePlan;
import dev.pacer.model.GptConfig;
import dev.pacer.model.ParameterLayout;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * The executor side of a training step (docs/design.md section 2). Stateless: everything it needs comes
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
    private final Compute compute;
    private final Precision precision;
    private final Precision gradientEncoding;

    public GradientWorker(
            GptConfig config,
            long seed,
            int globalBatch,
            int partitions,
            int microBatch,
            int evalSequences,
            int threads,
            DeviceChoice.Setting device,
            Compute compute,
            Precision precision,
            Precision gradientEncoding) {
        this.config = config;
        this.seed = seed;
        this.globalBatch = globalBatch;
        this.partitions = partitions;
        this.microBatch = microBatch;
        this.evalSequences = evalSequences;
        this.threads = threads;
        this.device = device;
        this.compute = compute;
        this.precision = precision;
        this.gradientEncoding = gradientEncoding;
    }

    /** Probe batches are drawn from their own stream, never the training batches. */
    private static final long PROBE_STREAM = 0x50524F4245L;

    public int partitions() {
        return partitions;
    }

    /** The model this worker computes. */
    /** The precision replicas compute in (after any fall-back to fp32). */
    public Precision precision() {
        return precision;
    }

    /** How this worker's gradients travel ({@code pacer.spark.gradient-encoding}). */
    public Precision gradientEncoding() {
        return gradientEncoding;
    }

    public GptConfig config() {
        return config;
    }

    public int globalBatch() {
        return globalBatch;
    }

    /**
     * Summed gradient, loss and token count of partition {@code p}'s share of step {@code step};
     * only tensors marked in {@code trainable} (null = all) get a gradient, and only theirs are
     * returned ({@link ParameterLayout#pack}): frozen groups cost no transfer.
     */
    public StepResult gradients(CorpusPartition data, int p, float[] weights, long step, boolean[] trainable) {
        float[] grads = new float[weights.length];
        StepResult r = gradientsInto(data, p, weights, step, trainable, grads);
        float[] sent = trainable == null ? grads : new ParameterLayout(config).pack(grads, trainable);
        return StepResult.of(p, sent, gradientEncoding, r.lossSum(), r.tokens(), r.computeNanos());
    }

    /**
     * As {@link #gradients}, the full-length gradient written to {@code grads} (frozen tensors' entries
     * 0) instead of returned: the sharded update cuts it into its owners' pieces.
     */
    public StepResult gradientsInto(
            CorpusPartition data, int p, float[] weights, long step, boolean[] trainable, float[] grads) {
        EngineThreads.configure(threads);
        List<int[]> batch =
                data.train().sample(BatchSeeds.derive(seed, step, p), BatchSeeds.share(globalBatch, partitions, p));
        try (ReplicaPool.Lease lease = ReplicaPool.borrow(config, taskDevice(), compute, precision)) {
            long t0 = System.nanoTime();
            ModelReplica.LossSum sum = lease.replica().gradients(weights, batch, microBatch, grads, trainable);
            return new StepResult(p, null, sum.loss(), sum.tokens(), System.nanoTime() - t0);
        }
    }

    /** Summed validation loss over partition {@code p}'s fixed share of the evaluation set. */
    public StepResult validation(CorpusPartition data, int p, float[] weights) {
        EngineThreads.configure(threads);
        List<int[]> seqs = data.validation().head(BatchSeeds.share(evalSequences, partitions, p));
        if (seqs.isEmpty()) {
            return new StepResult(p, null, 0, 0, 0);
        }
        try (ReplicaPool.Lease lease = ReplicaPool.borrow(config, taskDevice(), compute, precision)) {
            long t0 = System.nanoTime();
            ModelReplica.LossSum sum = lease.replica().loss(weights, seqs, microBatch);
            return new StepResult(p, null, sum.loss(), sum.tokens(), System.nanoTime() - t0);
        }
    }

    /**
     * Summed losses of partition {@code p}'s share of the probe batch after step {@code step} at every
     * point of {@code plan}, forward passes only.
     */
    public ProbeResult probe(
            CorpusPartition data,
            int p,
            float[] weights,
            float[] direction,
            ProbePlan plan,
            long step,
            int probeSequences) {
        EngineThreads.configure(threads);
        List<int[]> batch = data.train()
                .sample(
                        BatchSeeds.derive(BatchSeeds.mix(seed ^ PROBE_STREAM), step, p),
                        BatchSeeds.share(probeSequences, partitions, p));
        if (batch.isEmpty()) {
            return new ProbeResult(p, new double[plan.points()], 0, 0);
        }
        try (ReplicaPool.Lease lease = ReplicaPool.borrow(config, taskDevice(), compute, precision)) {
            Replica replica = lease.replica();
            long t0 = System.nanoTime();
            long[] tokens = {0};
            double[] sums = plan.evaluate(
                    w -> {
                        ModelReplica.LossSum s = replica.loss(w, batch, microBatch);
                        tokens[0] = s.tokens();
                        return s.loss();
                    },
                    weights,
                    direction);
            return new ProbeResult(p, sums, tokens[0], System.nanoTime() - t0);
        }
    }

    private Device taskDevice() {
        DeviceChoice choice = ExecutorDevice.choose(device);
        return choice.isGpu() ? Device.gpu(choice.gpu()) : Device.cpu();
    }

    /** The Spark function for one gradient step over the cached corpus partitions. */
    public Function2<Integer, Iterator<CorpusPartition>, Iterator<StepResult>> gradientTask(
            Broadcast<float[]> weights, long step, boolean[] trainable) {
        return (p, it) -> List.of(gradients(it.next(), p, weights.value(), step, trainable))
                .iterator();
    }

    /** The Spark function for one Hi-DLR probe. */
    public Function2<Integer, Iterator<CorpusPartition>, Iterator<ProbeResult>> probeTask(
            Broadcast<float[]> weights, Broadcast<float[]> direction, ProbePlan plan, long step, int probeSequences) {
        return (p, it) -> List.of(probe(it.next(), p, weights.value(), direction.value(), plan, step, probeSequences))
                .iterator();
    }

    /** The Spark function for one validation pass. */
    public Function2<Integer, Iterator<CorpusPartition>, Iterator<StepResult>> validationTask(
            Broadcast<float[]> weights) {
        return (p, it) -> List.of(validation(it.next(), p, weights.value())).iterator();
    }
}
