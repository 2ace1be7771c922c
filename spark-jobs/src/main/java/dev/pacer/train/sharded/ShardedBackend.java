package dev.pacer.train.sharded;

import dev.pacer.config.OptimizerSettings;
import dev.pacer.data.HadoopConf;
import dev.pacer.engine.GptForward;
import dev.pacer.engine.Precision;
import dev.pacer.hidlr.ProbePlan;
import dev.pacer.model.ParameterLayout;
import dev.pacer.model.ShardPlan;
import dev.pacer.optim.GradientClipper;
import dev.pacer.optim.Optimizer;
import dev.pacer.optim.Optimizers;
import dev.pacer.run.CheckpointStore;
import dev.pacer.run.CheckpointTensors;
import dev.pacer.run.ModelSource;
import dev.pacer.train.GradientWorker;
import dev.pacer.train.PartitionSums;
import dev.pacer.train.StepBackend;
import dev.pacer.train.StepOutcome;
import dev.pacer.train.StepRequest;
import dev.pacer.train.StepTimings;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;

/**
 * A {@link StepBackend} whose weights and optimizer state live on the executors (ZeRO-1): every
 * rank keeps a replica of the weights between steps, every tensor has one owner (a
 * {@link ShardPlan}) holding its optimizer state. A step is one barrier job whose tasks wait for
 * each other's blocks ({@link StepJobs.Fused}, {@code pacer.spark.fused-step}), or three
 * jobs (gradients, their sums, the owners' update; a fourth for optimizers that need sums over
 * every tensor, which always take this way; and when Spark refuses barrier jobs). The driver sends
 * the step, the rates per tensor, the clipping factor and commands, and receives loss sums, token
 * counts, per-tensor sums of squares and timings: its traffic and memory do not grow with the model.
 *
 * <p>Sums are taken in the order the {@link dev.pacer.train.DriverBackend} takes them (gradients by
 * rank, squares by tensor, an optimizer's partials by tensor), so on the same partitioning and
 * machine both backends compute the same bits.
 */
public final class ShardedBackend implements StepBackend {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ShardedBackend.class);

    private final Ranks ranks;
    private final ShardSpec spec;
    private final ParameterLayout layout;
    private final double gradClip;
    private final HadoopConf hadoop;
    private final boolean reducing;
    private final boolean separateEvaluation;
    /** A step is one barrier job ({@code pacer.spark.fused-step}) until Spark refuses one. */
    private boolean fused;

    private long generation;
    private long version;
    private long seq;

    public ShardedBackend(
            Ranks ranks,
            GradientWorker worker,
            ParameterLayout layout,
            OptimizerSettings optimizer,
            double gradClip,
            Configuration hadoop,
            Precision weightEncoding,
            boolean fusedStep) {
        this.ranks = ranks;
        this.fused = fusedStep;
        this.layout = layout;
        this.gradClip = gradClip;
        this.hadoop = new HadoopConf(hadoop);
        this.spec = new ShardSpec(
                UUID.randomUUID().toString().substring(0, 8),
                ShardPlan.balance(layout, ranks.count()),
                optimizer,
                worker,
                worker.gradientEncoding() == Precision.BF16,
                weightsInBf16(worker, weightEncoding, layout),
                ranks.piecesInMemory(),
                ranks.piecesInMemory() && ranks.oneJvm());
        ranks.share(spec);
        Optimizer probe = Optimizers.create(optimizer, 0);
        this.reducing = probe.reducesAcrossTensors();
        this.separateEvaluation = probe.separateEvaluationWeights();
    }

    /**
     * Per tensor, whether its weight blocks travel in bf16: with {@code weightEncoding} bf16 and
     * replicas computing in bf16, the tensors they read only through their bf16 copies, whose
     * other bits change nothing they compute; none otherwise (also when bf16 was asked for but the
     * run fell back to fp32 compute: then rounding would change the training).
     */
    static boolean[] weightsInBf16(GradientWorker worker, Precision weightEncoding, ParameterLayout layout) {
        if (weightEncoding == Precision.BF16 && worker.precision() == Precision.BF16) {
            return GptForward.readOnlyAsComputeCopy(worker.config());
        }
        return new boolean[layout.tensors().size()];
    }

    /** Who owns which tensor. */
    public ShardPlan plan() {
        return spec.plan();
    }

    @Override
    public void start(ModelSource model) {
        generation++;
        version = 0;
        run("pacer pretrain: shards start", new PointJobs.Start(spec, generation, model, hadoop));
    }

    @Override
    public StepOutcome step(StepRequest request) {
        if (fused && !reducing) {
            try {
                return fusedStep(request);
            } catch (Ranks.TogetherRefused e) {
                fused = false;
                LOG.warn(
                        "the sharded update runs each step as three Spark jobs from now on: Spark refused a barrier"
                                + " job ({}); set pacer.spark.fused-step = false to skip this attempt",
                        e.getMessage());
            }
        }
        return separateJobs(request);
    }

    /** The step as one barrier job ({@link StepJobs.Fused}): the driver only adds up what the ranks report. */
    private StepOutcome fusedStep(StepRequest request) {
        long t0 = System.nanoTime();
        boolean[] trainable = request.rates().trainable();
        List<StepJobs.RankStep> ranksDid = runTogether(
                request.label(),
                new StepJobs.Fused(
                        spec, generation, version, request.step(), seq, trainable, rates(request), gradClip));
        long reduce = 0;
        long update = 0;
        for (StepJobs.RankStep r : ranksDid) {
            reduce = Math.max(reduce, r.reduceNanos());
            update = Math.max(update, r.updateNanos());
        }
        LossShares shares =
                LossShares.of(ranksDid.stream().map(StepJobs.RankStep::loss).toList());
        double loss = shares.loss();
        double norm = GradientClipper.norm(
                squares(ranksDid.stream().map(StepJobs.RankStep::squares).toList()));
        boolean finite = Double.isFinite(loss) && Double.isFinite(norm);
        if (finite) {
            version++; // the owners published it
        }
        seq++;
        double total = ms(System.nanoTime() - t0);
        StepTimings timings = new StepTimings(
                0,
                0,
                total - ms(reduce) - ms(update),
                ms(shares.slowest()),
                ms(reduce),
                ms(update),
                0,
                shares.tokens());
        return new StepOutcome(loss, shares.tokens(), norm, finite, timings);
    }

    /** The step as three jobs (four for optimizers that reduce across tensors). */
    private StepOutcome separateJobs(StepRequest request) {
        long t0 = System.nanoTime();
        boolean[] trainable = request.rates().trainable();
        LossShares shares = LossShares.of(run(
                request.label() + " gradients",
                new StepJobs.Gradients(spec, generation, version, request.step(), seq, trainable)));
        long t1 = System.nanoTime();
        double[] squares = squares(run(
                request.label() + " gradient sums",
                new StepJobs.Reduce(spec, generation, seq, (float) (1.0 / shares.tokens()), trainable)));
        double loss = shares.loss();
        double norm = GradientClipper.norm(squares);
        boolean finite = Double.isFinite(loss) && Double.isFinite(norm);
        long t2 = System.nanoTime();
        if (finite) {
            update(request, trainable, GradientClipper.coefficient(norm, gradClip));
        }
        seq++;
        long t3 = System.nanoTime();
        StepTimings timings =
                new StepTimings(0, 0, ms(t1 - t0), ms(shares.slowest()), ms(t2 - t1), ms(t3 - t2), 0, shares.tokens());
        return new StepOutcome(loss, shares.tokens(), norm, finite, timings);
    }

    /** The ranks' loss shares added in rank order (the driver-held update's order), and the slowest rank's compute. */
    private record LossShares(double lossSum, long tokens, long slowest) {
        static LossShares of(List<StepJobs.Loss> ranks) {
            double lossSum = 0;
            long tokens = 0;
            long slowest = 0;
            for (StepJobs.Loss l : ranks) {
                lossSum += l.lossSum();
                tokens += l.tokens();
                slowest = Math.max(slowest, l.computeNanos());
            }
            return new LossShares(lossSum, tokens, slowest);
        }

        double loss() {
            return lossSum / tokens;
        }
    }

    /** Every trainable tensor's sum of squares, from the owners that hold them, in layout order. */
    private double[] squares(List<StepJobs.Squares> owners) {
        double[] squares = new double[layout.tensors().size()];
        for (StepJobs.Squares s : owners) {
            for (int k = 0; k < s.tensors().length; k++) {
                squares[s.tensors()[k]] = s.squares()[k];
            }
        }
        return squares;
    }

    /** The owners' optimizer step, in two phases when the optimizer needs sums over every tensor. */
    private void update(StepRequest request, boolean[] trainable, double coef) {
        double[] rates = rates(request);
        long next = version + 1;
        String label = request.label() + " update";
        if (!reducing) {
            run(label, new StepJobs.Update(spec, generation, coef, rates, trainable, next, StepJobs.Phase.WHOLE, null));
        } else {
            double[][] byTensor = new double[rates.length][];
            boolean[] present = new boolean[rates.length];
            for (StepJobs.Partials p : run(
                    label,
                    new StepJobs.Update(spec, generation, coef, rates, trainable, next, StepJobs.Phase.BEGIN, null))) {
                for (int k = 0; k < p.tensors().length; k++) {
                    byTensor[p.tensors()[k]] = p.partials() == null ? null : p.partials()[k];
                    present[p.tensors()[k]] = true;
                }
            }
            // every trainable tensor's partials in tensor order: the order one optimizer over the
            // whole vector would meet its slices in
            List<double[]> all = new ArrayList<>();
            for (int t = 0; t < rates.length; t++) {
                if (present[t]) {
                    all.add(byTensor[t]);
                }
            }
            run(label, new StepJobs.Update(spec, generation, coef, rates, trainable, next, StepJobs.Phase.FINISH, all));
        }
        version = next;
    }

    /** The step's rate per tensor, in layout order. */
    private double[] rates(StepRequest request) {
        double[] rates = new double[layout.tensors().size()];
        for (int t = 0; t < rates.length; t++) {
            rates[t] = request.rates().tensorRate(t);
        }
        return rates;
    }

    @Override
    public double validationLoss(String label) {
        if (separateEvaluation) {
            run(label + " evaluation weights", new EvalJobs.PublishEvaluation(spec, generation, version));
        }
        return PartitionSums.meanLoss(
                run(label + " validation", new EvalJobs.Validate(spec, generation, version, separateEvaluation)));
    }

    @Override
    public double[] probe(ProbePlan plan, long step, int sequences, String label) {
        return PartitionSums.meanProbeLosses(
                run(
                        label + " Hi-DLR probe (" + plan.points() + " forwards)",
                        new EvalJobs.Probe(spec, generation, version, plan, step, sequences)),
                plan.points());
    }

    @Override
    public void snapshot() {
        run(
                "pacer pretrain: AdaLRS snapshot",
                new PointJobs.Snapshot(spec, generation, PointJobs.Command.SNAPSHOT, version));
    }

    @Override
    public void rollback() {
        version++;
        run(
                "pacer pretrain: AdaLRS rollback",
                new PointJobs.Snapshot(spec, generation, PointJobs.Command.ROLLBACK, version));
    }

    @Override
    public void swapWithSnapshot() {
        version++;
        run("pacer pretrain: AdaLRS replay", new PointJobs.Snapshot(spec, generation, PointJobs.Command.SWAP, version));
    }

    @Override
    public CheckpointStore.TensorWriter tensorWriter(boolean withSnapshot) {
        return (dir, step) -> {
            List<PointJobs.Written> parts = run(
                    "pacer pretrain: checkpoint " + step,
                    new PointJobs.Write(spec, generation, dir.toString(), hadoop, step, withSnapshot));
            for (String kind : withSnapshot
                    ? List.of(CheckpointTensors.MODEL, CheckpointTensors.OPTIMIZER, CheckpointTensors.SNAPSHOT)
                    : List.of(CheckpointTensors.MODEL, CheckpointTensors.OPTIMIZER)) {
                Map<String, String> weightMap = new LinkedHashMap<>();
                long bytes = 0;
                for (PointJobs.Written w : parts) {
                    for (Map.Entry<String, List<String>> f : w.tensorsByFile().entrySet()) {
                        if (f.getKey().startsWith(kind + "-")) {
                            f.getValue().forEach(name -> weightMap.put(name, f.getKey()));
                        }
                    }
                    bytes += w.bytes();
                }
                CheckpointTensors.writeIndex(
                        new dev.pacer.run.RunStorage(dir.toString(), hadoop.get()), dir, kind, weightMap, bytes);
            }
            PointJobs.Written first = parts.get(0);
            return new CheckpointStore.TensorFiles(
                    first.optimizerState(), first.optimizerSteps(), withSnapshot ? first.snapshotSteps() : -1);
        };
    }

    @Override
    public int partitions() {
        return ranks.count();
    }

    @Override
    public void close() {
        try {
            run("pacer pretrain: shards released", new PointJobs.Leave(spec.run()));
        } finally {
            ranks.unshare(spec);
        }
    }

    /** Runs a job on every rank; an executor's lost state surfaces as {@link LostStateException}. */
    private <R extends Serializable> List<R> run(String label, Ranks.Task<R> task) {
        return lostStateSurfaced(label, () -> ranks.run(label, task));
    }

    /** Runs a job whose tasks run at once (a barrier job on Spark); lost state as in {@link #run}. */
    private <R extends Serializable> List<R> runTogether(String label, Ranks.Task<R> task) {
        return lostStateSurfaced(label, () -> ranks.runTogether(label, task));
    }

    private static <R> List<R> lostStateSurfaced(String label, java.util.function.Supplier<List<R>> job) {
        try {
            return job.get();
        } catch (Ranks.TogetherRefused e) {
            throw e;
        } catch (Exception e) { // Spark's job failure is a checked SparkException, undeclared
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof LostStateException || c instanceof BlockTransport.MissingBlockException) {
                    throw new LostStateException(label + ": " + c.getMessage());
                }
            }
            // a task failure whose exception Spark could only report as text; or an executor lost
            // under a barrier job (one job a step), which Spark fails whole instead of retrying
            // the task elsewhere: the ranks' state on that executor is gone either way
            String text = String.valueOf(e.getMessage());
            if (text.contains(LostStateException.class.getSimpleName())
                    || text.contains(BlockTransport.MissingBlockException.class.getSimpleName())
                    || text.contains("ExecutorLostFailure")) {
                throw new LostStateException(
                        label + ": " + text.lines().findFirst().orElse(text));
            }
            throw e;
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
