package dev.pacer.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.pacer.data.BundledCorpus;
import dev.pacer.data.ByteTokenizer;
import dev.pacer.data.CorpusPartition;
import dev.pacer.data.DocumentSplit;
import dev.pacer.engine.Bf16Hardware;
import dev.pacer.engine.Precision;
import dev.pacer.model.GptConfig;
import dev.pacer.model.ModelPreset;
import dev.pacer.model.ParameterLayout;
import dev.pacer.run.PacerSettings;
import dev.pacer.train.CorpusData;
import dev.pacer.train.StepTimings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Tokens per second of the same model, batch and total thread count in (a) a plain single-JVM
 * loop (one replica, all threads, no Spark) and (b) the Spark pipeline in local mode (one task per
 * partition, threads split among them), per model preset and precision, with the pipeline's
 * per-step overhead broken down. Precisions alternate within one invocation (every step in the
 * plain loop, in rounds in the pipeline), so their ratio holds on a machine others share.
 */
public final class ThroughputBenchmark {

    /**
     * What to measure: presets (shapes), precisions, how many steps, and whether to measure
     * libtorch's matmul peaks at each preset's shapes first.
     */
    public record Plan(
            List<ModelPreset> presets,
            List<Precision> precisions,
            int warmup,
            int steps,
            int rounds,
            boolean matmulPeaks) {}

    private final PacerSettings settings;
    private final Plan plan;
    private final PrintStream out;

    public ThroughputBenchmark(PacerSettings settings, Plan plan, PrintStream out) {
        this.settings = settings;
        this.plan = plan;
        this.out = out;
    }

    public void run() throws IOException {
        int partitions = settings.partitions();
        int cores = Runtime.getRuntime().availableProcessors();
        int threadsPerTask = Math.max(1, cores / partitions);
        // the plain loop runs on this thread with every core; tasks set their own count
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(threadsPerTask * partitions);
        CorpusPartition whole = wholeCorpus(settings);
        out.printf(
                "machine: %s, %d cores; %d sequences x %d tokens a step, micro-batch %d; plain loop: 1 replica x %d"
                        + " threads, pipeline: local[%d], %d tasks x %d threads%n",
                Bf16Hardware.thisMachine().describe(),
                cores,
                settings.train().globalBatch(),
                settings.train().seqLen(),
                settings.train().microBatch(),
                threadsPerTask * partitions,
                cores,
                partitions,
                threadsPerTask);
        try (SparkSession spark =
                SparkSession.builder().config(sparkConf(settings, cores)).getOrCreate()) {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            JavaRDD<CorpusPartition> data =
                    new CorpusData(settings.data(), partitions, settings.train().seqLen()).load(jsc);
            data.count();
            for (ModelPreset preset : plan.presets()) {
                ParameterLayout layout = new ParameterLayout(preset.config(ByteTokenizer.VOCAB));
                String loadBefore = loadAverage();
                Map<Precision, Double> peaks = Map.of();
                if (plan.matmulPeaks()) {
                    out.printf(
                            "%n%s: libtorch's matrix products at its shapes, %d threads%n%n",
                            preset.id(), threadsPerTask * partitions);
                    peaks = MatmulPeaks.measure(
                            layout.config(),
                            settings.train().microBatch(),
                            settings.train().seqLen(),
                            plan.precisions(),
                            out);
                }
                List<List<PlainLoop.Step>> plain =
                        PlainLoop.run(settings, layout, whole, plan.precisions(), plan.warmup(), plan.steps());
                List<List<StepTimings>> pipe = PipelineLoop.run(
                        settings,
                        layout,
                        jsc,
                        data,
                        threadsPerTask,
                        plan.precisions(),
                        plan.warmup(),
                        plan.steps(),
                        plan.rounds());
                new BenchTables(out, settings, plan, layout, threadsPerTask, peaks)
                        .print(preset, plain, pipe, loadBefore, loadAverage());
            }
        }
    }

    /** The benchmarks' Spark session: {@code pacer.spark.master} if set, else local mode on every core. */
    static SparkConf sparkConf(PacerSettings settings, int cores) {
        SparkConf conf = new SparkConf()
                .setAppName("pacer bench")
                .setMaster(settings.master().isEmpty() ? "local[" + cores + "]" : settings.master())
                .set("spark.ui.enabled", "false")
                .set("spark.broadcast.compress", "false")
                .set("spark.task.maxDirectResultSize", "128m")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        settings.sparkConf().forEach(conf::set);
        return conf;
    }

    /** The bundled corpus as one partition, packed for this run's sequence length: single-JVM loops. */
    static CorpusPartition wholeCorpus(PacerSettings settings) throws IOException {
        return CorpusPartition.load(
                BundledCorpus.open(),
                0,
                1,
                settings.train().seqLen() + 1,
                new DocumentSplit(settings.data().validationFraction()),
                settings.data().maxDocuments());
    }

    /** The 1, 5 and 15 minute load averages, or "?" where /proc/loadavg is missing. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return String.join(" ", Arrays.copyOf(f, 3));
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * Model FLOPs of training on one token (the MFU convention): 6 per weight of a matrix product
     * (4 linear layers a block, 12 width^2, and the tied head, vocab x width), plus the attention's
     * scores and weighted sums over all seqLen positions, 12 x layers x width x seqLen (causal
     * masking skips about half of that work; it is counted all the same).
     */
    static double trainingFlopsPerToken(GptConfig c, int seqLen) {
        double matmulWeights = 12.0 * c.layers() * c.width() * c.width() + (double) c.vocab() * c.width();
        return 6 * matmulWeights + 12.0 * c.layers() * c.width() * seqLen;
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static <T> double median(List<T> rows, ToDoubleFunction<T> f) {
        return median(rows.stream().mapToDouble(f).boxed().toList());
    }
}
