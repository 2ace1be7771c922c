package dev.pacer.train;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.adalrs.AdaLrsController;
import dev.pacer.adalrs.AdaLrsSettings;
import dev.pacer.config.OptimizerSettings;
import dev.pacer.config.TrainSettings;
import dev.pacer.data.CorpusPartition;
import dev.pacer.hidlr.HiDlrController;
import dev.pacer.hidlr.HiDlrSettings;
import dev.pacer.hidlr.ParameterGroups;
import dev.pacer.hidlr.ProbePlan;
import dev.pacer.model.ParameterLayout;
import dev.pacer.model.TensorSpec;
import dev.pacer.optim.GradientClipper;
import dev.pacer.optim.Optimizer;
import dev.pacer.optim.Optimizers;
import dev.pacer.optim.ParamSlice;
import dev.pacer.run.TrainingState;
import dev.pacer.schedule.LrSchedule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The driver's training loop (DESIGN section 2): broadcast weights, one Spark job of
 * {@link GradientWorker} tasks, ordered sum, clip, optimizer update, then the controllers:
 * Hi-DLR's probe when one is due (a second job of forward passes, DESIGN section 4) and AdaLRS's
 * decision. State lives here; executors are stateless, so a retried task or a resumed run
 * computes exactly the same step.
 */
public final class TrainingLoop {

    /** Writes a checkpoint of the given state; supplied by the job so the loop stays I/O free. */
    public interface Checkpointer {
        String write(TrainingState state) throws java.io.IOException;
    }

    private final JavaSparkContext jsc;
    private final JavaRDD<CorpusPartition> data;
    private final ParameterLayout layout;
    private final TrainSettings train;
    private final OptimizerSettings optimizerSettings;
    private final GradientWorker worker;
    private final AdaLrsSettings adalrs;
    private final HiDlrSettings hidlr;
    private final ParameterGroups groups;
    private final long checkpointEvery;
    private final Checkpointer checkpointer;
    private final List<TrainingListener> listeners;

    public TrainingLoop(
            JavaSparkContext jsc,
            JavaRDD<CorpusPartition> data,
            ParameterLayout layout,
            TrainSettings train,
            OptimizerSettings optimizerSettings,
            AdaLrsSettings adalrs,
            HiDlrSettings hidlr,
            GradientWorker worker,
            long checkpointEvery,
            Checkpointer checkpointer,
            List<TrainingListener> listeners) {
        this.adalrs = adalrs;
        this.hidlr = hidlr;
        this.groups = ParameterGroups.of(layout, hidlr.grouping());
        this.jsc = jsc;
        this.data = data;
        this.layout = layout;
        this.train = train;
        this.optimizerSettings = optimizerSettings;
        this.worker = worker;
        this.checkpointEvery = checkpointEvery;
        this.checkpointer = checkpointer;
        this.listeners = listeners;
    }

    /** Trains from {@code start} until {@code stopAt} completed steps; returns the final state. */
    public TrainingState run(TrainingState start, long stopAt) throws java.io.IOException {
        return run(start, stopAt, Long.MAX_VALUE);
    }

    /**
     * Trains from {@code start} until {@code stopAt} completed steps or until {@code iterations}
     * steps were computed, whichever comes first (they differ only when AdaLRS's paired comparison
     * replays steps); checkpoints the state it stops in and returns it.
     */
    public TrainingState run(TrainingState start, long stopAt, long iterations) throws java.io.IOException {
        Optimizer optimizer = Optimizers.create(optimizerSettings, layout.totalSize());
        float[] weights = start.weights().clone();
        if (!start.optimizerState().isEmpty()) {
            optimizer.restore(start.optimizerState(), start.optimizerSteps());
            weights = optimizer.trainingWeights(weights);
        }
        LrSchedule schedule = LrSchedule.create(
                train.schedule(), train.warmupSteps(), train.maxSteps(), train.minLrRatio(), train.decayFraction());
        AdaLrsController controller =
                adalrs.enabled() ? new AdaLrsController(adalrs, train.warmupSteps(), train.maxSteps()) : null;
        TrainingState.Snapshot snapshot = start.snapshot();
        if (controller != null && start.controller() != null) {
            controller.restore(start.controller());
        }
        HiDlrController hi = hidlr.enabled()
                ? new HiDlrController(
                        hidlr,
                        groups,
                        hidlr.shapeOnly(adalrs.enabled()),
                        train.warmupSteps(),
                        train.maxSteps(),
                        hidlr.every(groups.count(), train.globalBatch(), worker.partitions()))
                : null;
        if (hi != null) {
            if (start.hidlr() != null) {
                hi.restore(start.hidlr());
            }
            announce(hi);
        }
        long probeNanos = 0;
        long trainNanos = 0;
        float[] grads = new float[layout.totalSize()];
        long tokens = start.tokens();
        long step = start.step();
        // checkpoints only move forward: a replayed step is not checkpointed a second time
        long lastCheckpoint = start.step();
        long computed = 0;
        for (; step < stopAt && computed < iterations; step++, computed++) {
            long t0 = System.nanoTime();
            // AdaLRS multiplies the base schedule, never replaces it
            double level = controller == null ? 1.0 : controller.level();
            double lr = train.lr() * schedule.factor(step) * level;
            String what = "pacer pretrain: step " + (step + 1) + "/" + train.maxSteps();
            boolean probeDue = hi != null && hi.probeDue(step + 1);
            float[] before = probeDue ? weights.clone() : null;
            boolean[] trainable = hi != null && hi.anyFrozen() ? trainableTensors(hi) : null;
            Broadcast<float[]> bw = jsc.broadcast(weights);
            long t1 = System.nanoTime();
            jsc.setJobDescription(what + " gradients");
            List<StepResult> parts = data.mapPartitionsWithIndex(worker.gradientTask(bw, step, trainable), true)
                    .collect();
            long t2 = System.nanoTime();
            bw.destroy();

            // ordered sum: partition order, so the result does not depend on task timing
            java.util.Arrays.fill(grads, 0f);
            double lossSum = 0;
            long stepTokens = 0;
            long slowest = 0;
            for (StepResult r : parts) {
                float[] g = r.gradients();
                if (trainable != null) {
                    // frozen groups: the task sent only the trainable tensors' gradients
                    layout.addPacked(g, trainable, grads);
                } else {
                    for (int i = 0; i < g.length; i++) {
                        grads[i] += g[i];
                    }
                }
                lossSum += r.lossSum();
                stepTokens += r.tokens();
                slowest = Math.max(slowest, r.computeNanos());
            }
            float inv = (float) (1.0 / stepTokens);
            for (int i = 0; i < grads.length; i++) {
                grads[i] *= inv;
            }
            double loss = lossSum / stepTokens;
            double norm = GradientClipper.clipByGlobalNorm(grads, train.gradClip());
            boolean finite = Double.isFinite(loss) && Double.isFinite(norm);
            if (!finite && controller == null) {
                throw diverged(step, loss, norm);
            }
            long t3 = System.nanoTime();
            if (finite) {
                optimizer.step(weights, grads, slices(lr, hi));
            }
            long t4 = System.nanoTime();
            trainNanos += t4 - t0;
            if (probeDue && finite) {
                HiDlrController.Outcome out = probe(hi, step + 1, lr, before, weights, what);
                long spent = System.nanoTime() - t4;
                probeNanos += spent;
                for (TrainingListener l : listeners) {
                    l.onEvent(out.probeEvent()
                            .put("probe_ms", Math.round(spent / 1e5) / 10.0)
                            .put("overhead", probeNanos / (double) trainNanos));
                    if (out.freezeEvent() != null) {
                        l.onEvent(out.freezeEvent());
                    }
                }
            }
            // tokens of rejected trials count against the budget too
            tokens += stepTokens;
            long done = step + 1;
            // validation sees the weights this step produced, before AdaLRS may restore others
            double valLoss = Double.NaN;
            long tv = System.nanoTime();
            if (done % train.evalEvery() == 0 || done == train.maxSteps()) {
                valLoss = validate(optimizer.evaluationWeights(weights), what);
            }
            long t5 = System.nanoTime();
            // the completed steps the run continues from: done, unless AdaLRS moved the counter
            long live = done;
            String phase = null;
            if (controller != null) {
                phase = controller.phase();
                AdaLrsController.Decision d = controller.observe(done, finite ? loss : Double.NaN);
                switch (d.action()) {
                    case SNAPSHOT -> snapshot = snapshotOf(optimizer, weights, hi);
                    case ROLLBACK -> weights = restore(optimizer, snapshot, hi);
                    case REPLAY -> {
                        // paired comparison: the base branch's end becomes the snapshot and the
                        // trial replays the same steps from the round's start
                        TrainingState.Snapshot baseEnd = snapshotOf(optimizer, weights, hi);
                        weights = restore(optimizer, snapshot, hi);
                        snapshot = baseEnd;
                    }
                    case FAIL -> throw diverged(step, loss, norm);
                    default -> {}
                }
                if (d.resumeAt() >= 0) {
                    live = d.resumeAt();
                }
                if (!controller.snapshotValid()) {
                    snapshot = null;
                }
                if (d.event() != null) {
                    for (TrainingListener l : listeners) {
                        l.onEvent(d.event());
                    }
                }
            }
            // a probe's and a snapshot's time count as training time, validation's does not
            long t6 = System.nanoTime();
            StepTimings timings = new StepTimings(
                    ms(t6 - t0),
                    ms(t1 - t0),
                    ms(t2 - t1),
                    ms(slowest),
                    ms(t3 - t2),
                    ms(t4 - t3),
                    ms(t5 - tv),
                    stepTokens);
            StepRecord record = new StepRecord(
                    done, train.maxSteps(), tokens, loss, lr, norm, valLoss, level, phase, groupRates(lr, hi), timings);
            for (TrainingListener l : listeners) {
                l.onStep(record);
            }
            step = live - 1;
            boolean last = live >= stopAt || computed + 1 >= iterations;
            if (checkpointer != null
                    && (last || (done % checkpointEvery == 0 && live == done && done > lastCheckpoint))) {
                lastCheckpoint = Math.max(lastCheckpoint, live);
                String where = checkpointer.write(new TrainingState(
                        live,
                        tokens,
                        optimizer.evaluationWeights(weights),
                        optimizer.state(),
                        optimizer.stepCount(),
                        controller == null ? null : controller.toJson(),
                        snapshot,
                        hi == null ? null : hi.toJson()));
                for (TrainingListener l : listeners) {
                    l.onCheckpoint(live, where);
                }
            }
        }
        return computed == 0
                ? start
                : new TrainingState(
                        step,
                        tokens,
                        optimizer.evaluationWeights(weights),
                        optimizer.state(),
                        optimizer.stepCount(),
                        controller == null ? null : controller.toJson(),
                        snapshot,
                        hi == null ? null : hi.toJson());
    }

    private static TrainingState.Snapshot snapshotOf(Optimizer optimizer, float[] weights, HiDlrController hi) {
        // snapshots hold evaluation weights and restore like a resume, so optimizers with two
        // points (Schedule-Free's x and y) roll back exactly; Hi-DLR's rates and PPI sums are part
        // of the point, so probes taken on a branch that loses do not move them
        return new TrainingState.Snapshot(
                optimizer.evaluationWeights(weights).clone(),
                optimizer.state(),
                optimizer.stepCount(),
                hi == null ? null : hi.toJson());
    }

    /**
     * Restores a snapshot into the optimizer (and Hi-DLR, when the snapshot holds its state) and
     * returns the training weights; the snapshot stays valid.
     */
    private static float[] restore(Optimizer optimizer, TrainingState.Snapshot snapshot, HiDlrController hi) {
        if (hi != null && snapshot.hidlr() != null) {
            hi.restore(snapshot.hidlr());
        }
        optimizer.restore(snapshot.optimizerState(), snapshot.optimizerSteps());
        return optimizer.trainingWeights(snapshot.weights().clone());
    }

    /**
     * Hi-DLR's probe after step {@code done} (DESIGN section 4): the direction of each probed group
     * is the step it just took divided by its rate; executors evaluate the loss along it from the
     * weights before the step, on a probe batch; the controller fits and moves the rates.
     */
    private HiDlrController.Outcome probe(
            HiDlrController hi, long done, double lr, float[] before, float[] after, String what) {
        int[] probed = hi.probedGroups();
        double[] rates = new double[probed.length];
        float[] direction = new float[before.length];
        for (int j = 0; j < probed.length; j++) {
            rates[j] = lr * hi.multiplier(probed[j]);
            for (int t : groups.group(probed[j]).tensors()) {
                TensorSpec spec = layout.tensors().get(t);
                for (int i = spec.offset(), end = i + spec.size(); i < end; i++) {
                    direction[i] = (float) ((before[i] - after[i]) / rates[j]);
                }
            }
        }
        ProbePlan plan = ProbePlan.of(layout, groups, probed, rates, hi.offsets());
        int sequences = hidlr.probeSequences(worker.globalBatch(), worker.partitions());
        Broadcast<float[]> bw = jsc.broadcast(before);
        Broadcast<float[]> bd = jsc.broadcast(direction);
        jsc.setJobDescription(what + " Hi-DLR probe (" + plan.points() + " forwards)");
        double[] sums = new double[plan.points()];
        long tokens = 0;
        // partition order, as for gradients: the fit does not depend on task timing
        for (ProbeResult r : data.mapPartitionsWithIndex(worker.probeTask(bw, bd, plan, done - 1, sequences), true)
                .collect()) {
            for (int i = 0; i < sums.length; i++) {
                sums[i] += r.lossSums()[i];
            }
            tokens += r.tokens();
        }
        bw.destroy();
        bd.destroy();
        for (int i = 0; i < sums.length; i++) {
            sums[i] /= tokens;
        }
        HiDlrController.Outcome out = hi.update(done, lr, sums);
        out.probeEvent().put("forwards", plan.points()).put("probe_sequences", sequences);
        return out;
    }

    /** Logs the grouping and the probe plan once, so a run's cost is visible before it is paid. */
    private void announce(HiDlrController hi) {
        int sequences = hidlr.probeSequences(worker.globalBatch(), worker.partitions());
        double share = hi.forwardsPerProbe() * (double) sequences / (3.0 * worker.globalBatch() * hi.every());
        ObjectNode e = JsonNodeFactory.instance
                .objectNode()
                .put("event", "hidlr_plan")
                .put("grouping", hidlr.grouping().id())
                .put("every", hi.every())
                .put("forwards", hi.forwardsPerProbe())
                .put("probe_sequences", sequences)
                .put("estimated_overhead", share)
                .put("shape_only", hidlr.shapeOnly(adalrs.enabled()));
        var arr = e.putArray("groups");
        for (int g = 0; g < groups.count(); g++) {
            arr.addObject()
                    .put("group", groups.group(g).name())
                    .put("size", groups.group(g).size())
                    .put("frozen", hi.frozen(g));
        }
        for (TrainingListener l : listeners) {
            l.onEvent(e);
        }
    }

    private boolean[] trainableTensors(HiDlrController hi) {
        boolean[] t = new boolean[layout.tensors().size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = !hi.frozen(groups.groupOf(i));
        }
        return t;
    }

    private Map<String, Double> groupRates(double lr, HiDlrController hi) {
        if (hi == null) {
            return null;
        }
        Map<String, Double> m = new LinkedHashMap<>();
        for (int g = 0; g < groups.count(); g++) {
            m.put(groups.group(g).name(), lr * hi.multiplier(g));
        }
        return m;
    }

    private TrainingDivergedException diverged(long step, double loss, double norm) {
        return new TrainingDivergedException("training diverged at step " + (step + 1) + ": loss " + loss
                + ", gradient norm " + norm + "; lower pacer.train.lr (now " + train.lr()
                + "), enable pacer.adalrs, or resume from the last checkpoint with a smaller one");
    }

    /** Mean validation loss per token over the fixed evaluation set. */
    public double validate(float[] weights, String what) {
        Broadcast<float[]> bw = jsc.broadcast(weights);
        jsc.setJobDescription(what + " validation");
        double loss = 0;
        long tokens = 0;
        for (StepResult r :
                data.mapPartitionsWithIndex(worker.validationTask(bw), true).collect()) {
            loss += r.lossSum();
            tokens += r.tokens();
        }
        bw.destroy();
        return tokens == 0 ? Double.NaN : loss / tokens;
    }

    /**
     * The optimizer's slices for one step: each tensor at its group's rate. Frozen tensors get no
     * slice, so neither they nor their optimizer state change.
     */
    private List<ParamSlice> slices(double lr, HiDlrController hi) {
        List<ParamSlice> out = new ArrayList<>(layout.tensors().size());
        for (int i = 0; i < layout.tensors().size(); i++) {
            if (hi != null && hi.frozen(groups.groupOf(i))) {
                continue;
            }
            TensorSpec t = layout.tensors().get(i);
            double m = hi == null ? 1 : hi.multiplier(groups.groupOf(i));
            out.add(ParamSlice.of(t, lr * m, optimizerSettings.weightDecayFor(t)));
        }
        return out;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
