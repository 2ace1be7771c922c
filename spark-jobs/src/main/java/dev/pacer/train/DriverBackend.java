package dev.pacer.train;

import dev.pacer.config.OptimizerSettings;
import dev.pacer.hidlr.ProbePlan;
import dev.pacer.model.ParameterLayout;
import dev.pacer.model.TensorSpec;
import dev.pacer.optim.GradientClipper;
import dev.pacer.optim.Optimizer;
import dev.pacer.optim.Optimizers;
import dev.pacer.optim.ParamSlice;
import dev.pacer.rates.StepRates;
import dev.pacer.run.CheckpointStore;
import dev.pacer.run.ModelSource;
import dev.pacer.run.TrainingPoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.Path;

/**
 * A {@link StepBackend} that keeps the weights and the optimizer on the driver: each step sends
 * the weights to the {@link GradientSource}, sums the partitions' gradients in partition order,
 * divides by the tokens, clips by the global norm and runs the optimizer here. Simple and exact;
 * its traffic and the driver's memory grow with the model.
 */
public final class DriverBackend implements StepBackend {

    private final CheckpointStore store;
    private final ParameterLayout layout;
    private final OptimizerSettings optimizerSettings;
    private final double gradClip;
    private final GradientSource source;
    private final float[] grads;

    private Optimizer optimizer;
    private float[] weights;
    private float[] previous;
    private TrainingPoint snapshot;

    public DriverBackend(
            CheckpointStore store,
            ParameterLayout layout,
            OptimizerSettings optimizerSettings,
            double gradClip,
            GradientSource source) {
        this.store = store;
        this.layout = layout;
        this.optimizerSettings = optimizerSettings;
        this.gradClip = gradClip;
        this.source = source;
        this.grads = new float[layout.totalSize()];
    }

    @Override
    public void start(ModelSource model) {
        TrainingPoint current;
        TrainingPoint snap = null;
        try {
            if (model instanceof ModelSource.Fresh f) {
                current = TrainingPoint.initial(layout.initialWeights(f.seed()));
            } else if (model instanceof ModelSource.Checkpoint c) {
                Path dir = new Path(c.directory());
                current = store.readPoint(dir, c.weightsOnly());
                snap = c.snapshot() ? store.readSnapshot(dir) : null;
            } else {
                ModelSource.InMemory m = (ModelSource.InMemory) model;
                current = m.current();
                snap = m.snapshot();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        optimizer = Optimizers.create(optimizerSettings, layout.totalSize());
        // the tasks wait while the driver updates, so an elementwise update may use every core
        // the driver has (same result bit for bit)
        optimizer.setThreads(Runtime.getRuntime().availableProcessors());
        weights = current.weights().clone();
        if (!current.optimizerState().isEmpty()) {
            optimizer.restore(current.optimizerState(), current.optimizerSteps());
            weights = optimizer.trainingWeights(weights);
        }
        snapshot = snap;
    }

    @Override
    public StepOutcome step(StepRequest request) {
        long t0 = System.nanoTime();
        boolean[] trainable = request.rates().trainable();
        previous = request.keepPrevious() ? weights.clone() : null;
        List<StepResult> parts = source.gradients(weights, request.step(), trainable, request.label());
        long t2 = System.nanoTime();
        Arrays.fill(grads, 0f);
        double lossSum = 0;
        long tokens = 0;
        long slowest = 0;
        for (StepResult r : parts) {
            float[] g = r.fp32Gradients();
            if (trainable != null) {
                // frozen groups: the task sent only the trainable tensors' gradients
                layout.addPacked(g, trainable, grads);
            } else {
                for (int i = 0; i < g.length; i++) {
                    grads[i] += g[i];
                }
            }
            lossSum += r.lossSum();
            tokens += r.tokens();
            slowest = Math.max(slowest, r.computeNanos());
        }
        float inv = (float) (1.0 / tokens);
        for (int i = 0; i < grads.length; i++) {
            grads[i] *= inv;
        }
        double loss = lossSum / tokens;
        double norm = GradientClipper.clipByGlobalNorm(grads, layout.tensorEnds(), gradClip);
        boolean finite = Double.isFinite(loss) && Double.isFinite(norm);
        long t3 = System.nanoTime();
        if (finite) {
            optimizer.step(weights, grads, slices(request.rates()));
        }
        long t4 = System.nanoTime();
        double send = source.lastSendMs();
        StepTimings timings =
                new StepTimings(0, send, ms(t2 - t0) - send, ms(slowest), ms(t3 - t2), ms(t4 - t3), 0, tokens);
        return new StepOutcome(loss, tokens, norm, finite, timings);
    }

    /** The optimizer's slices: each trainable tensor at its rate; frozen ones get none, so nothing of theirs changes. */
    private List<ParamSlice> slices(StepRates rates) {
        List<ParamSlice> out = new ArrayList<>(layout.tensors().size());
        for (int i = 0; i < layout.tensors().size(); i++) {
            if (!rates.frozen(i)) {
                TensorSpec t = layout.tensors().get(i);
                out.add(ParamSlice.of(t, rates.tensorRate(i), optimizerSettings.weightDecayFor(t)));
            }
        }
        return out;
    }

    @Override
    public double validationLoss(String label) {
        return PartitionSums.meanLoss(source.validation(optimizer.evaluationWeights(weights), label));
    }

    @Override
    public double[] probe(ProbePlan plan, long step, int sequences, String label) {
        if (previous == null) {
            throw new IllegalStateException("a probe needs the weights before the step: request it with keepPrevious");
        }
        float[] direction = plan.direction(previous, weights);
        return PartitionSums.meanProbeLosses(
                source.probe(previous, direction, plan, step, sequences, label), plan.points());
    }

    @Override
    public void snapshot() {
        snapshot = point();
    }

    @Override
    public void rollback() {
        restore(snapshot);
    }

    @Override
    public void swapWithSnapshot() {
        TrainingPoint baseEnd = point();
        restore(snapshot);
        snapshot = baseEnd;
    }

    /**
     * A copy of the current point. It holds evaluation weights and restores like a resume, so
     * optimizers with two points (Schedule-Free's x and y) roll back exactly.
     */
    private TrainingPoint point() {
        return new TrainingPoint(
                optimizer.evaluationWeights(weights).clone(), optimizer.state(), optimizer.stepCount());
    }

    private void restore(TrainingPoint p) {
        optimizer.restore(p.optimizerState(), p.optimizerSteps());
        weights = optimizer.trainingWeights(p.weights().clone());
    }

    /** The current training point (in this JVM: the driver-held update only). */
    public TrainingPoint current() {
        return new TrainingPoint(optimizer.evaluationWeights(weights), optimizer.state(), optimizer.stepCount());
    }

    @Override
    public CheckpointStore.TensorWriter tensorWriter(boolean withSnapshot) {
        return store.pointWriter(current(), withSnapshot ? snapshot : null);
    }

    @Override
    public int partitions() {
        return source.partitions();
    }

    @Override
    public void close() {
        source.close();
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
