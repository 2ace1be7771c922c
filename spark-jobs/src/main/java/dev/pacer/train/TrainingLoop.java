package dev.pacer.train;

import dev.pacer.adalrs.AdaLrsController;
import dev.pacer.adalrs.AdaLrsSettings;
import dev.pacer.config.OptimizerSettings;
import dev.pacer.config.TrainSettings;
import dev.pacer.data.CorpusPartition;
import dev.pacer.model.ParameterLayout;
import dev.pacer.model.TensorSpec;
import dev.pacer.optim.GradientClipper;
import dev.pacer.optim.Optimizer;
import dev.pacer.optim.Optimizers;
import dev.pacer.optim.ParamSlice;
import dev.pacer.run.TrainingState;
import dev.pacer.schedule.LrSchedule;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The driver's training loop (DESIGN section 2): broadcast weights, one Spark job of
 * {@link GradientWorker} tasks, ordered sum, clip, AdamW update. State lives here; executors
 * are stateless, so a retried task or a resumed run computes exactly the same step.
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
    private final long checkpointEvery;
    private final Checkpointer checkpointer;
    private final List<TrainingListener> listeners;

    public TrainingLoop(JavaSparkContext jsc, JavaRDD<CorpusPartition> data, ParameterLayout layout,
            TrainSettings train, OptimizerSettings optimizerSettings, AdaLrsSettings adalrs, GradientWorker worker,
            long checkpointEvery, Checkpointer checkpointer, List<TrainingListener> listeners) {
        this.adalrs = adalrs;
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
        Optimizer optimizer = Optimizers.create(optimizerSettings, layout.totalSize());
        float[] weights = start.weights().clone();
        if (!start.optimizerState().isEmpty()) {
            optimizer.restore(start.optimizerState(), start.optimizerSteps());
            weights = optimizer.trainingWeights(weights);
        }
        LrSchedule schedule = LrSchedule.create(train.schedule(), train.warmupSteps(), train.maxSteps(),
                train.minLrRatio(), train.decayFraction());
        AdaLrsController controller = adalrs.enabled()
                ? new AdaLrsController(adalrs, train.warmupSteps(), train.maxSteps()) : null;
        TrainingState.Snapshot snapshot = start.snapshot();
        if (controller != null && start.controller() != null) {
            controller.restore(start.controller());
        }
        float[] grads = new float[layout.totalSize()];
        long tokens = start.tokens();
        long step = start.step();
        for (; step < stopAt; step++) {
            long t0 = System.nanoTime();
            // AdaLRS multiplies the base schedule, never replaces it
            double level = controller == null ? 1.0 : controller.level();
            double lr = train.lr() * schedule.factor(step) * level;
            String what = "pacer pretrain: step " + (step + 1) + "/" + train.maxSteps();
            Broadcast<float[]> bw = jsc.broadcast(weights);
            long t1 = System.nanoTime();
            jsc.setJobDescription(what + " gradients");
            List<StepResult> parts = data.mapPartitionsWithIndex(worker.gradientTask(bw, step), true).collect();
            long t2 = System.nanoTime();
            bw.destroy();

            // ordered sum: partition order, so the result does not depend on task timing
            java.util.Arrays.fill(grads, 0f);
            double lossSum = 0;
            long stepTokens = 0;
            long slowest = 0;
            for (StepResult r : parts) {
                float[] g = r.gradients();
                for (int i = 0; i < g.length; i++) {
                    grads[i] += g[i];
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
                optimizer.step(weights, grads, slices(lr));
            }
            long t4 = System.nanoTime();
            // tokens of rejected trials count against the budget too
            tokens += stepTokens;
            long done = step + 1;
            String phase = null;
            if (controller != null) {
                phase = controller.phase();
                AdaLrsController.Decision d = controller.observe(done, finite ? loss : Double.NaN);
                switch (d.action()) {
                    // snapshots hold evaluation weights and restore like a resume, so optimizers
                    // with two points (Schedule-Free's x and y) roll back exactly
                    case SNAPSHOT -> snapshot = new TrainingState.Snapshot(
                            optimizer.evaluationWeights(weights).clone(), optimizer.state(), optimizer.stepCount());
                    case ROLLBACK -> {
                        optimizer.restore(snapshot.optimizerState(), snapshot.optimizerSteps());
                        weights = optimizer.trainingWeights(snapshot.weights().clone());
                    }
                    case FAIL -> throw diverged(step, loss, norm);
                    default -> { }
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
            double valLoss = Double.NaN;
            if (done % train.evalEvery() == 0 || done == train.maxSteps()) {
                valLoss = validate(optimizer.evaluationWeights(weights), what);
            }
            long t5 = System.nanoTime();
            StepTimings timings = new StepTimings(ms(t5 - t0), ms(t1 - t0), ms(t2 - t1), ms(slowest),
                    ms(t3 - t2), ms(t4 - t3), ms(t5 - t4), stepTokens);
            StepRecord record = new StepRecord(done, train.maxSteps(), tokens, loss, lr, norm, valLoss, level,
                    phase, timings);
            for (TrainingListener l : listeners) {
                l.onStep(record);
            }
            if (checkpointer != null && (done % checkpointEvery == 0 || done == stopAt)) {
                String where = checkpointer.write(new TrainingState(done, tokens,
                        optimizer.evaluationWeights(weights), optimizer.state(), optimizer.stepCount(),
                        controller == null ? null : controller.toJson(), snapshot));
                for (TrainingListener l : listeners) {
                    l.onCheckpoint(done, where);
                }
            }
        }
        return step == start.step() ? start
                : new TrainingState(step, tokens, optimizer.evaluationWeights(weights), optimizer.state(),
                        optimizer.stepCount(), controller == null ? null : controller.toJson(), snapshot);
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
        for (StepResult r : data.mapPartitionsWithIndex(worker.validationTask(bw), true).collect()) {
            loss += r.lossSum();
            tokens += r.tokens();
        }
        bw.destroy();
        return tokens == 0 ? Double.NaN : loss / tokens;
    }

    private List<ParamSlice> slices(double lr) {
        List<ParamSlice> out = new ArrayList<>(layout.tensors().size());
        for (TensorSpec t : layout.tensors()) {
            out.add(ParamSlice.of(t, lr, optimizerSettings.weightDecayFor(t)));
        }
        return out;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
