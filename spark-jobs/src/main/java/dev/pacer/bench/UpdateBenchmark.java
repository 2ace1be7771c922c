package dev.pacer.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.pacer.data.CorpusPartition;
import dev.pacer.model.ParameterLayout;
import dev.pacer.run.PacerSettings;
import dev.pacer.train.CorpusData;
import dev.pacer.train.GradientWorker;
import dev.pacer.train.StepTimings;
import java.io.IOException;
import java.io.PrintStream;
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

    public UpdateBenchmark(PacerSettings settings, int steps, int warmup, PrintStream out) {
        this.settings = settings;
        this.steps = steps;
        this.warmup = warmup;
        this.out = out;
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

        double[] plain = plainLoop(layout, totalThreads);
        Map<PacerSettings.Update, PipelineRun.Measured> pipes = new LinkedHashMap<>();
        executorRss.clear();
        pipelines(layout, partitions, pipes);

        out.printf(
                "%nmachine: %s, %d cores; model %s (%,d parameters); %d sequences x %d tokens a step,"
                        + " micro-batch %d; %d measured steps after %d warm-up steps%n",
                dev.pacer.engine.Bf16Hardware.thisMachine().describe(),
                cores,
                settings.model().preset().id(),
                layout.totalSize(),
                settings.train().globalBatch(),
                settings.train().seqLen(),
                settings.train().microBatch(),
                steps,
                warmup);
        out.println();
        out.println(
                "| mode | threads | tokens/s | ms/step | pipeline / plain | driver bytes in / step | driver bytes out / step |");
        out.println("|---|---|---:|---:|---:|---:|---:|");
        double plainMs = plain[0];
        out.printf(
                "| plain JVM loop (no Spark) | 1 replica x %d | %.0f | %.1f | 1 | - | - |%n",
                totalThreads, tokensPerStep * 1000.0 / plainMs, plainMs);
        for (var e : pipes.entrySet()) {
            double ms = mean(e.getValue().timings(), t -> t.totalMs() - t.validationMs());
            out.printf(
                    "| pipeline, %s update, %s | %d tasks x %d | %.0f | %.1f | %.3f | %,.0f | %,.0f |%n",
                    e.getKey().name().toLowerCase(java.util.Locale.ROOT),
                    settings.master().isEmpty() ? "local[" + cores + "]" : settings.master(),
                    partitions,
                    threadsPerTask,
                    tokensPerStep * 1000.0 / ms,
                    ms,
                    plainMs / ms,
                    e.getValue().resultBytesPerStep(),
                    e.getValue().sentBytesPerStep());
        }
        out.println();
        out.println("| where a step goes (mean ms) | driver update | sharded update |");
        out.println("|---|---:|---:|");
        row("send weights (broadcast)", pipes, StepTimings::broadcastMs);
        row("gradient job: slowest task forward+backward", pipes, StepTimings::slowestTaskMs);
        row("gradient job: scheduling, transfer, rest", pipes, t -> t.jobMs() - t.slowestTaskMs());
        row("sum + scale + clip (driver; sharded: owners' sums job)", pipes, StepTimings::sumMs);
        row("optimizer (driver; sharded: owners' update job)", pipes, StepTimings::optimizerMs);
        out.printf("| plain loop: forward+backward | %.1f | |%n", plain[1]);
        out.printf("| plain loop: optimizer | %.1f | |%n", plain[2]);
        out.printf(
                "%npeak resident set of the driver JVM (and of the executor in local mode): %,d MiB%n", peakRssMiB());
        executorRss.forEach((u, rss) -> out.printf(
                "peak resident set of the executors after the %s update: %s MiB%n",
                u.name().toLowerCase(java.util.Locale.ROOT), rss));
    }

    private void row(
            String what,
            Map<PacerSettings.Update, PipelineRun.Measured> pipes,
            java.util.function.ToDoubleFunction<StepTimings> f) {
        out.printf("| %s |", what);
        for (PacerSettings.Update u : PacerSettings.Update.values()) {
            PipelineRun.Measured m = pipes.get(u);
            out.print(m == null ? " |" : String.format(" %.1f |", mean(m.timings(), f)));
        }
        out.println();
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
    private double[] plainLoop(ParameterLayout layout, int threads) throws IOException {
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(threads);
        List<PlainLoop.Step> measured = PlainLoop.run(
                        settings,
                        layout,
                        ThroughputBenchmark.wholeCorpus(settings),
                        List.of(settings.precision()),
                        warmup,
                        steps)
                .get(0);
        return new double[] {
            measured.stream().mapToDouble(PlainLoop.Step::totalMs).average().orElse(0),
            measured.stream().mapToDouble(PlainLoop.Step::computeMs).average().orElse(0),
            measured.stream().mapToDouble(PlainLoop.Step::optimizerMs).average().orElse(0)
        };
    }

    /** Per update, each executor's peak resident set (MiB) after its pipeline ran. */
    private final Map<PacerSettings.Update, java.util.List<Long>> executorRss = new LinkedHashMap<>();

    /** Both pipelines in one Spark session, one after the other, on the same cached data. */
    private void pipelines(
            ParameterLayout layout, int partitions, Map<PacerSettings.Update, PipelineRun.Measured> pipes)
            throws IOException {
        int cores = Runtime.getRuntime().availableProcessors();
        SparkConf conf = ThroughputBenchmark.sparkConf(settings, cores);
        try (SparkSession spark = SparkSession.builder().config(conf).getOrCreate()) {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            CorpusData corpus =
                    new CorpusData(settings.data(), partitions, settings.train().seqLen());
            JavaRDD<CorpusPartition> data = corpus.load(jsc);
            data.count();
            GradientWorker worker = new dev.pacer.train.PretrainJob(settings, 0, List.of())
                    .worker(layout, Math.max(1, cores / partitions), settings.precision());
            for (PacerSettings.Update u : PacerSettings.Update.values()) {
                pipes.put(u, PipelineRun.run(settings, u, jsc, data, worker, layout, warmup, steps));
                // each rank reports its executor JVM's high-water mark (the driver's own in local mode)
                executorRss.put(
                        u,
                        new dev.pacer.train.sharded.SparkRanks(jsc, data)
                                .run("pacer bench: executor memory", (rank, d) -> peakRssMiB()));
            }
        }
    }

    private static double mean(List<StepTimings> t, java.util.function.ToDoubleFunction<StepTimings> f) {
        return t.stream().mapToDouble(f).average().orElse(0);
    }
}
