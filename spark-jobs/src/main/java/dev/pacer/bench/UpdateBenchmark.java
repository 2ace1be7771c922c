package dev.pacer.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.pacer.data.CorpusPartition;
import dev.pacer.engine.Precision;
import dev.pacer.model.ParameterLayout;
import dev.pacer.run.PacerSettings;
import dev.pacer.train.CorpusData;
import dev.pacer.train.GradientWorker;
import dev.pacer.train.StepTimings;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Where the update runs: tokens per second of the same model, batch and total thread count in a
 * plain single-JVM loop (one replica, all threads, no Spark) and in the Spark pipeline with the
 * driver-held and with the sharded update, the bytes each sends to and receives from the driver
 * per step, where a step goes, and each executor's peak resident set ({@code bin/pacer bench
 * --updates}; docs/sharding.md).
 */
public final class UpdateBenchmark {

    private final PacerSettings settings;
    private final int steps;
    private final int warmup;
    private final PrintStream out;

    /** Encodings the sharded update is measured with ({@code --transfers}); fp32 only by default. */
    private final List<Precision> transfers;

    /** Also the sharded update as three jobs a step when the settings fuse it ({@code --separate-jobs}). */
    private final boolean separateToo;

    /** Rounds of the plain loop and every pipeline, one after the other ({@code --rounds}). */
    private final int rounds;

    public UpdateBenchmark(PacerSettings settings, int steps, int warmup, PrintStream out) {
        this(settings, steps, warmup, 1, List.of(Precision.FP32), false, out);
    }

    /**
     * As above, the sharded update measured once per encoding of {@code transfers}: bf16 sends
     * gradient pieces in bf16 and, with bf16 compute, the weights its replicas read as bf16 copies.
     * Each of {@code rounds} rounds runs the plain loop and then every pipeline, so that each
     * pipeline is compared with a plain loop measured minutes, not a whole invocation, apart.
     */
    public UpdateBenchmark(
            PacerSettings settings,
            int steps,
            int warmup,
            int rounds,
            List<Precision> transfers,
            boolean separateToo,
            PrintStream out) {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be at least 1, not " + rounds);
        }
        this.rounds = rounds;
        this.separateToo = separateToo;
        this.settings = settings;
        this.steps = steps;
        this.warmup = warmup;
        this.transfers = List.copyOf(transfers);
        this.out = out;
    }

    /** One pipeline measured: an update and, for the sharded one, how its blocks travel. */
    private record Variant(PacerSettings.Update update, Precision transfer, boolean named, boolean fused) {
        String label() {
            String u = update.name().toLowerCase(java.util.Locale.ROOT) + " update";
            if (update == PacerSettings.Update.SHARDED) {
                u += fused ? " (one job a step)" : " (three jobs a step)";
            }
            return named ? u + ", " + transfer.id() + " transfers" : u;
        }
    }

    /** Mean milliseconds of the measured (post-warmup) steps. */
    record Row(String mode, String threads, double tokensPerSecond, double stepMs) {}

    public void run() throws IOException {
        int partitions = settings.partitions();
        int cores = Runtime.getRuntime().availableProcessors();
        int threadsPerTask = Math.max(1, cores / partitions);
        int totalThreads = threadsPerTask * partitions;
        ParameterLayout layout = new ParameterLayout(settings.gptConfig());
        long tokensPerStep =
                (long) settings.train().globalBatch() * settings.train().seqLen();

        // per round: the plain loop's {total, forward+backward, optimizer} and every pipeline
        List<double[]> plainRounds = new ArrayList<>();
        Map<Variant, List<PipelineRun.Measured>> pipes = new LinkedHashMap<>();
        executorRss.clear();
        rounds(layout, partitions, totalThreads, plainRounds, pipes);
        double[] plain = new double[3];
        for (int k = 0; k < 3; k++) {
            int col = k;
            plain[k] = plainRounds.stream().mapToDouble(r -> r[col]).average().orElse(0);
        }

        out.printf(
                "%nmachine: %s, %d cores; model %s (%,d parameters); %d sequences x %d tokens a step,"
                        + " micro-batch %d; %d measured steps after %d warm-up steps, in each of %d rounds"
                        + " of the plain loop and then every pipeline; means over all rounds, and pipeline /"
                        + " plain as the median of the rounds' ratios%n",
                dev.pacer.engine.Bf16Hardware.thisMachine().describe(),
                cores,
                settings.model().preset().id(),
                layout.totalSize(),
                settings.train().globalBatch(),
                settings.train().seqLen(),
                settings.train().microBatch(),
                steps,
                warmup,
                rounds);
        out.println();
        out.println(
                "| mode | threads | tokens/s | ms/step | pipeline / plain | driver bytes in / step | driver bytes out / step |");
        out.println("|---|---|---:|---:|---:|---:|---:|");
        double plainMs = plain[0];
        out.printf(
                "| plain JVM loop (no Spark) | 1 replica x %d | %.0f | %.1f | 1 | - | - |%n",
                totalThreads, tokensPerStep * 1000.0 / plainMs, plainMs);
        for (var e : pipes.entrySet()) {
            double ms = mean(all(e.getValue()), UpdateBenchmark::stepMs);
            List<Double> ratios = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                ratios.add(plainRounds.get(r)[0] / mean(e.getValue().get(r).timings(), UpdateBenchmark::stepMs));
            }
            out.printf(
                    "| pipeline, %s, %s | %d tasks x %d | %.0f | %.1f | %.3f | %,.0f | %,.0f |%n",
                    e.getKey().label(),
                    settings.master().isEmpty() ? "local[" + cores + "]" : settings.master(),
                    partitions,
                    threadsPerTask,
                    tokensPerStep * 1000.0 / ms,
                    ms,
                    ThroughputBenchmark.median(ratios),
                    e.getValue().stream()
                            .mapToDouble(PipelineRun.Measured::resultBytesPerStep)
                            .average()
                            .orElse(0),
                    e.getValue().stream()
                            .mapToDouble(PipelineRun.Measured::sentBytesPerStep)
                            .average()
                            .orElse(0));
        }
        if (rounds > 1) {
            out.println();
            out.print("| round | plain loop ms |");
            pipes.keySet().forEach(v -> out.print(" " + v.label() + " ms (pipeline / plain) |"));
            out.println();
            out.println("|---|---:|" + "---:|".repeat(pipes.size()));
            for (int r = 0; r < rounds; r++) {
                double p = plainRounds.get(r)[0];
                out.printf("| %d | %.1f |", r + 1, p);
                for (List<PipelineRun.Measured> m : pipes.values()) {
                    double ms = mean(m.get(r).timings(), UpdateBenchmark::stepMs);
                    out.printf(" %.1f (%.3f) |", ms, p / ms);
                }
                out.println();
            }
        }
        out.println();
        out.print("| where a step goes (mean ms) |");
        pipes.keySet().forEach(v -> out.print(" " + v.label() + " |"));
        out.println();
        out.println("|---|" + "---:|".repeat(pipes.size()));
        row("send weights (broadcast)", pipes, StepTimings::broadcastMs);
        row("gradient job: slowest task forward+backward", pipes, StepTimings::slowestTaskMs);
        row("gradient job: scheduling, transfer, rest", pipes, t -> t.jobMs() - t.slowestTaskMs());
        row("sum + scale + clip (driver; sharded: owners' sums job)", pipes, StepTimings::sumMs);
        row("optimizer (driver; sharded: owners' update job)", pipes, StepTimings::optimizerMs);
        out.printf("| plain loop: forward+backward | %.1f | |%n", plain[1]);
        out.printf("| plain loop: optimizer | %.1f | |%n", plain[2]);
        out.printf(
                "%npeak resident set of the driver JVM (and of the executor in local mode): %,d MiB%n", peakRssMiB());
        executorRss.forEach(
                (v, rss) -> out.printf("peak resident set of the executors after the %s: %s MiB%n", v.label(), rss));
    }

    private void row(
            String what,
            Map<Variant, List<PipelineRun.Measured>> pipes,
            java.util.function.ToDoubleFunction<StepTimings> f) {
        out.printf("| %s |", what);
        pipes.values().forEach(m -> out.printf(" %.1f |", mean(all(m), f)));
        out.println();
    }

    /** Every round's measured steps of one pipeline. */
    private static List<StepTimings> all(List<PipelineRun.Measured> rounds) {
        return rounds.stream().flatMap(m -> m.timings().stream()).toList();
    }

    /** A measured step's time without its validation (the pipelines validate, the plain loop does not). */
    private static double stepMs(StepTimings t) {
        return t.totalMs() - t.validationMs();
    }

    /** Peak resident set size of this process (VmHWM), or -1 where /proc is not available. */
    static long peakRssMiB() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1;
    }

    /** Mean ms per step of the plain loop ({@link PlainLoop}) in the run's precision: total, forward+backward, optimizer. */
    private double[] plainLoop(ParameterLayout layout, int threads, CorpusPartition corpus) {
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(threads);
        List<PlainLoop.Step> measured = PlainLoop.run(
                        settings, layout, corpus, List.of(settings.precision()), warmup, steps)
                .get(0);
        return new double[] {
            measured.stream().mapToDouble(PlainLoop.Step::totalMs).average().orElse(0),
            measured.stream().mapToDouble(PlainLoop.Step::computeMs).average().orElse(0),
            measured.stream().mapToDouble(PlainLoop.Step::optimizerMs).average().orElse(0)
        };
    }

    /** Per update, each executor's peak resident set (MiB) after its pipeline ran. */
    private final Map<Variant, java.util.List<Long>> executorRss = new LinkedHashMap<>();

    /**
     * The rounds: in one Spark session, on the same cached data, each round runs the plain loop
     * (on this thread, with all threads) and then every pipeline, one after the other.
     */
    private void rounds(
            ParameterLayout layout,
            int partitions,
            int plainThreads,
            List<double[]> plainRounds,
            Map<Variant, List<PipelineRun.Measured>> pipes)
            throws IOException {
        int cores = Runtime.getRuntime().availableProcessors();
        CorpusPartition whole = ThroughputBenchmark.wholeCorpus(settings);
        SparkConf conf = ThroughputBenchmark.sparkConf(settings, cores);
        try (SparkSession spark = SparkSession.builder().config(conf).getOrCreate()) {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            CorpusData corpus =
                    new CorpusData(settings.data(), partitions, settings.train().seqLen());
            JavaRDD<CorpusPartition> data = corpus.load(jsc);
            data.count();
            List<Variant> variants = new ArrayList<>();
            variants.add(new Variant(PacerSettings.Update.DRIVER, null, false, false));
            for (Precision t : transfers) {
                if (settings.fusedStep()) {
                    variants.add(new Variant(PacerSettings.Update.SHARDED, t, transfers.size() > 1, true));
                }
                if (!settings.fusedStep() || separateToo) {
                    variants.add(new Variant(PacerSettings.Update.SHARDED, t, transfers.size() > 1, false));
                }
            }
            for (int r = 0; r < rounds; r++) {
                plainRounds.add(plainLoop(layout, plainThreads, whole));
                for (Variant v : variants) {
                    PacerSettings s = v.transfer() == null ? settings : withTransfers(v.transfer(), v.fused());
                    GradientWorker worker = new dev.pacer.train.PretrainJob(s, 0, List.of())
                            .worker(layout, Math.max(1, cores / partitions), s.precision());
                    pipes.computeIfAbsent(v, k -> new ArrayList<>())
                            .add(PipelineRun.run(s, v.update(), jsc, data, worker, layout, warmup, steps));
                    // each rank reports its executor JVM's high-water mark (the driver's own in local mode)
                    executorRss.put(
                            v,
                            new dev.pacer.train.sharded.SparkRanks(jsc, data)
                                    .run("pacer bench: executor memory", (rank, d) -> peakRssMiB()));
                }
            }
        }
    }

    /**
     * The settings with the sharded update's gradient pieces and (in bf16 compute) weights in
     * {@code t}, as one job a step or three.
     */
    private PacerSettings withTransfers(Precision t, boolean fused) {
        com.typesafe.config.Config c = settings.resolved()
                .withValue("pacer.spark.update", com.typesafe.config.ConfigValueFactory.fromAnyRef("sharded"))
                .withValue("pacer.spark.fused-step", com.typesafe.config.ConfigValueFactory.fromAnyRef(fused))
                .withValue("pacer.spark.gradient-encoding", com.typesafe.config.ConfigValueFactory.fromAnyRef(t.id()));
        if (settings.precision() == Precision.BF16) {
            c = c.withValue("pacer.spark.weight-encoding", com.typesafe.config.ConfigValueFactory.fromAnyRef(t.id()));
        }
        return PacerSettings.load(c);
    }

    private static double mean(List<StepTimings> t, java.util.function.ToDoubleFunction<StepTimings> f) {
        return t.stream().mapToDouble(f).average().orElse(0);
    }
}
