package dev.pacer.bench;

import ai.djl.Device;
import dev.pacer.data.CorpusPartition;
import dev.pacer.engine.ModelReplica;
import dev.pacer.engine.Precision;
import dev.pacer.model.ParameterLayout;
import dev.pacer.model.TensorSpec;
import dev.pacer.optim.GradientClipper;
import dev.pacer.optim.Optimizer;
import dev.pacer.optim.Optimizers;
import dev.pacer.optim.ParamSlice;
import dev.pacer.run.PacerSettings;
import dev.pacer.train.BatchSeeds;
import java.util.ArrayList;
import java.util.List;

/**
 * The plain single-JVM training loop, no Spark: one replica per precision using every thread,
 * gradient scaling, clipping and the optimizer, on the same batches. Each step runs every
 * precision once, in an order that rotates, so whatever else the machine runs slows all alike.
 */
final class PlainLoop {

    /** Milliseconds of one measured step: total, forward+backward, optimizer (with scaling and clipping). */
    record Step(double totalMs, double computeMs, double optimizerMs) {}

    private PlainLoop() {}

    static List<List<Step>> run(
            PacerSettings settings,
            ParameterLayout layout,
            CorpusPartition data,
            List<Precision> precisions,
            int warmup,
            int steps) {
        List<List<Step>> out = new ArrayList<>();
        List<ModelReplica> replicas = new ArrayList<>();
        List<float[]> weights = new ArrayList<>();
        List<Optimizer> optimizers = new ArrayList<>();
        for (Precision p : precisions) {
            out.add(new ArrayList<>());
            replicas.add(new ModelReplica(layout, Device.cpu(), p));
            weights.add(layout.initialWeights(settings.seed()));
            Optimizer optimizer = Optimizers.create(settings.optimizer(), layout.totalSize());
            optimizer.setThreads(Runtime.getRuntime().availableProcessors());
            optimizers.add(optimizer);
        }
        List<ParamSlice> slices = new ArrayList<>();
        for (TensorSpec t : layout.tensors()) {
            slices.add(ParamSlice.of(
                    t, settings.train().lr() * 0.1, settings.optimizer().weightDecayFor(t)));
        }
        float[] g = new float[layout.totalSize()];
        try {
            for (int s = 0; s < warmup + steps; s++) {
                List<int[]> batch = data.train()
                        .sample(
                                BatchSeeds.derive(settings.seed(), s, 0),
                                settings.train().globalBatch());
                for (int k = 0; k < precisions.size(); k++) {
                    int i = (s + k) % precisions.size();
                    Step step = step(
                            settings, layout, replicas.get(i), weights.get(i), optimizers.get(i), slices, batch, g);
                    if (s >= warmup) {
                        out.get(i).add(step);
                    }
                }
            }
        } finally {
            replicas.forEach(ModelReplica::close);
        }
        return out;
    }

    private static Step step(
            PacerSettings settings,
            ParameterLayout layout,
            ModelReplica replica,
            float[] w,
            Optimizer optimizer,
            List<ParamSlice> slices,
            List<int[]> batch,
            float[] g) {
        long t0 = System.nanoTime();
        ModelReplica.LossSum sum = replica.gradients(w, batch, settings.train().microBatch(), g);
        long t1 = System.nanoTime();
        float inv = (float) (1.0 / sum.tokens());
        for (int i = 0; i < g.length; i++) {
            g[i] *= inv;
        }
        GradientClipper.clipByGlobalNorm(
                g, layout.tensorEnds(), settings.train().gradClip());
        optimizer.step(w, g, slices);
        long t2 = System.nanoTime();
        return new Step((t2 - t0) / 1e6, (t1 - t0) / 1e6, (t2 - t1) / 1e6);
    }
}
