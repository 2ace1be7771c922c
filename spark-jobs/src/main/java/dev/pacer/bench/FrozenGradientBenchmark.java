package dev.pacer.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.pacer.config.ConfigError;
import dev.pacer.data.CorpusPartition;
import dev.pacer.engine.ModelReplica;
import dev.pacer.hidlr.ParameterGroups;
import dev.pacer.model.ParameterLayout;
import dev.pacer.run.PacerSettings;
import dev.pacer.train.BatchSeeds;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * Forward + backward of one step's batch in one JVM, with every tensor trainable and with the
 * named Hi-DLR groups frozen (no gradient), alternating the two each step so that whatever else
 * the machine runs slows both alike. Prints a table of medians; the speed-up a frozen-mode run
 * gains per step comes from here, not from run logs taken at different times.
 */
public final class FrozenGradientBenchmark {

    private final PacerSettings settings;
    private final List<String> frozenGroups;
    private final int steps;
    private final int warmup;
    private final PrintStream out;

    public FrozenGradientBenchmark(
            PacerSettings settings, List<String> frozenGroups, int steps, int warmup, PrintStream out) {
        this.settings = settings;
        this.frozenGroups = frozenGroups;
        this.steps = steps;
        this.warmup = warmup;
        this.out = out;
    }

    public void run() throws IOException {
        ParameterLayout layout = new ParameterLayout(settings.gptConfig());
        ParameterGroups groups = ParameterGroups.of(layout, settings.hidlr().grouping());
        List<String> known =
                groups.groups().stream().map(ParameterGroups.Group::name).toList();
        List<String> unknown =
                frozenGroups.stream().filter(n -> !known.contains(n)).toList();
        if (!unknown.isEmpty()) {
            throw new ConfigError(
                    "--frozen " + String.join(",", unknown) + ": no such group under pacer.hidlr.grouping = "
                            + settings.hidlr().grouping().id() + "; groups are " + known);
        }
        boolean[] trainable = new boolean[layout.tensors().size()];
        long frozenSize = 0;
        for (int i = 0; i < trainable.length; i++) {
            trainable[i] =
                    !frozenGroups.contains(groups.group(groups.groupOf(i)).name());
            if (!trainable[i]) {
                frozenSize += layout.tensors().get(i).size();
            }
        }
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(threads);
        CorpusPartition data = ThroughputBenchmark.wholeCorpus(settings);
        float[] w = layout.initialWeights(settings.seed());
        float[] g = new float[w.length];
        double[] full = new double[steps];
        double[] part = new double[steps];
        try (ModelReplica replica = new ModelReplica(layout, Device.cpu(), settings.precision())) {
            for (int s = 0; s < warmup + steps; s++) {
                List<int[]> batch = data.train()
                        .sample(
                                BatchSeeds.derive(settings.seed(), s, 0),
                                settings.train().globalBatch());
                // alternate which goes first, so neither always follows the other
                for (int k = 0; k < 2; k++) {
                    boolean frozen = (s + k) % 2 == 1;
                    long t0 = System.nanoTime();
                    replica.gradients(w, batch, settings.train().microBatch(), g, frozen ? trainable : null);
                    double ms = (System.nanoTime() - t0) / 1e6;
                    if (s >= warmup) {
                        (frozen ? part : full)[s - warmup] = ms;
                    }
                }
            }
        }
        double mFull = median(full);
        double mPart = median(part);
        out.printf(
                "machine: %d cores, %d libtorch threads; %s preset (%,d parameters), %d x %d tokens a step,"
                        + " %d measured steps each%n",
                Runtime.getRuntime().availableProcessors(),
                threads,
                settings.model().preset().id(),
                layout.totalSize(),
                settings.train().globalBatch(),
                settings.train().seqLen(),
                steps);
        out.println("| gradients of | trainable parameters | forward+backward ms (median) | speed-up |");
        out.println("|---|---:|---:|---:|");
        out.printf("| every tensor | %,d (100%%) | %.1f | 1.00x |%n", layout.totalSize(), mFull);
        out.printf(
                "| all but %s | %,d (%.1f%%) | %.1f | %.2fx |%n",
                String.join(", ", frozenGroups),
                layout.totalSize() - frozenSize,
                100.0 * (layout.totalSize() - frozenSize) / layout.totalSize(),
                mPart,
                mFull / mPart);
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }
}
