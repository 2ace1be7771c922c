package dev.pacer.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.pacer.data.BundledCorpus;
import dev.pacer.data.CorpusPartition;
import dev.pacer.data.DocumentSplit;
import dev.pacer.engine.ModelReplica;
import dev.pacer.model.ParameterLayout;
import dev.pacer.model.TensorSpec;
import dev.pacer.optim.GradientClipper;
import dev.pacer.optim.Optimizer;
import dev.pacer.optim.Optimizers;
import dev.pacer.optim.ParamSlice;
import dev.pacer.rates.Controllers;
import dev.pacer.run.PacerSettings;
import dev.pacer.run.RunState;
import dev.pacer.train.BatchSeeds;
import dev.pacer.train.CorpusData;
import dev.pacer.train.DriverBackend;
import dev.pacer.train.GradientSource;
import dev.pacer.train.GradientWorker;
import dev.pacer.train.SparkGradients;
import dev.pacer.train.StepBackend;
import dev.pacer.train.StepRecord;
import dev.pacer.train.StepTimings;
import dev.pacer.train.TrainingListener;
import dev.pacer.train.TrainingLoop;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Tokens per second of the same model, batch and total thread count in (a) a plain single-JVM
 * loop (one replica, all threads, no Spark) and (b) the Spark pipeline in local mode (one task per
 * partition, threads split among them), with the pipeline's per-step overhead broken down.
 */
public final class ThroughputBenchmark {

    private final PacerSettings settings;
    private final int steps;
    private final int warmup;
    private final PrintStream out;

    public ThroughputBenchmark(PacerSettings settings, int steps, int warmup, PrintStream out) {
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
        List<StepTimings> pipe = pipeline(layout, partitions);

        double pipeMs = pipe.stream()
                .mapToDouble(t -> t.totalMs() - t.validationMs())
                .average()
                .orElse(0);
        double plainMs = plain[0];
        out.printf(
                "%nmachine: %d cores; model %s (%,d parameters); %d sequences x %d tokens a step,"
                        + " micro-batch %d; %d measured steps after %d warm-up steps%n",
                cores,
                settings.model().preset().id(),
                layout.totalSize(),
                settings.train().globalBatch(),
                settings.train().seqLen(),
                settings.train().microBatch(),
                steps,
                warmup);
        out.println();
        out.println("| mode                         | threads              | tokens/s | ms/step |");
        out.println("|------------------------------|----------------------|---------:|--------:|");
        out.printf(
                "| plain JVM loop (no Spark)    | 1 replica x %-2d       | %8.0f | %7.1f |%n",
                totalThreads, tokensPerStep * 1000.0 / plainMs, plainMs);
        out.printf(
                "| pipeline, local[%d]           | %d tasks x %-2d         | %8.0f | %7.1f |%n",
                cores, partitions, threadsPerTask, tokensPerStep * 1000.0 / pipeMs, pipeMs);
        out.printf("%npipeline / plain throughput: %.3f%n", plainMs / pipeMs);
        double bc = mean(pipe, StepTimings::broadcastMs);
        double job = mean(pipe, StepTimings::jobMs);
        double task = mean(pipe, StepTimings::slowestTaskMs);
        double sum = mean(pipe, StepTimings::sumMs);
        double opt = mean(pipe, StepTimings::optimizerMs);
        out.println();
        out.println("| where a pipeline step goes (mean ms)           |    ms |");
        out.println("|-------------------------------------------------|------:|");
        out.printf("| broadcast weights                               | %5.1f |%n", bc);
        out.printf("| Spark job: slowest task forward+backward        | %5.1f |%n", task);
        out.printf("| Spark job: scheduling, result transfer, rest    | %5.1f |%n", job - task);
        out.printf("| driver: sum + scale + clip gradients            | %5.1f |%n", sum);
        out.printf("| driver: AdamW update                            | %5.1f |%n", opt);
        out.printf("| plain loop for comparison: forward+backward     | %5.1f |%n", plain[1]);
        out.printf("| plain loop for comparison: AdamW update         | %5.1f |%n", plain[2]);
    }

    /** Returns mean ms per step: total, forward+backward, optimizer. */
    private double[] plainLoop(ParameterLayout layout, int threads) throws IOException {
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(threads);
        CorpusPartition data = wholeCorpus(settings);
        float[] w = layout.initialWeights(settings.seed());
        float[] g = new float[w.length];
        Optimizer optimizer = Optimizers.create(settings.optimizer(), w.length);
        List<ParamSlice> slices = new ArrayList<>();
        for (TensorSpec t : layout.tensors()) {
            slices.add(ParamSlice.of(
                    t, settings.train().lr() * 0.1, settings.optimizer().weightDecayFor(t)));
        }
        double total = 0;
        double compute = 0;
        double optimizerMs = 0;
        try (ModelReplica replica = new ModelReplica(layout, Device.cpu())) {
            for (int s = 0; s < warmup + steps; s++) {
                long t0 = System.nanoTime();
                List<int[]> batch = data.train()
                        .sample(
                                BatchSeeds.derive(settings.seed(), s, 0),
                                settings.train().globalBatch());
                ModelReplica.LossSum sum =
                        replica.gradients(w, batch, settings.train().microBatch(), g);
                long t1 = System.nanoTime();
                float inv = (float) (1.0 / sum.tokens());
                for (int i = 0; i < g.length; i++) {
                    g[i] *= inv;
                }
                GradientClipper.clipByGlobalNorm(g, settings.train().gradClip());
                optimizer.step(w, g, slices);
                long t2 = System.nanoTime();
                if (s >= warmup) {
                    total += (t2 - t0) / 1e6;
                    compute += (t1 - t0) / 1e6;
                    optimizerMs += (t2 - t1) / 1e6;
                }
            }
        }
        return new double[] {total / steps, compute / steps, optimizerMs / steps};
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

    private List<StepTimings> pipeline(ParameterLayout layout, int partitions) throws IOException {
        int cores = Runtime.getRuntime().availableProcessors();
        SparkConf conf = new SparkConf()
                .setAppName("pacer bench")
                .setMaster("local[" + cores + "]")
                .set("spark.ui.enabled", "false")
                .set("spark.broadcast.compress", "false")
                .set("spark.task.maxDirectResultSize", "128m")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        settings.sparkConf().forEach(conf::set);
        List<StepTimings> timings = new ArrayList<>();
        try (SparkSession spark = SparkSession.builder().config(conf).getOrCreate()) {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            CorpusData corpus =
                    new CorpusData(settings.data(), partitions, settings.train().seqLen());
            JavaRDD<CorpusPartition> data = corpus.load(jsc);
            data.count();
            GradientWorker worker = new GradientWorker(
                    layout.config(),
                    settings.seed(),
                    settings.train().globalBatch(),
                    partitions,
                    settings.train().microBatch(),
                    settings.train().evalSequences(),
                    Math.max(1, cores / partitions),
                    settings.device(),
                    settings.compute(),
                    settings.precision(),
                    settings.gradientEncoding());
            TrainingListener collect = new TrainingListener() {
                @Override
                public void onStep(StepRecord r) {
                    if (r.step() > warmup) {
                        timings.add(r.timings());
                    }
                }
            };
            // eval-every beyond the run: the benchmark measures training steps only
            var train = settings.train();
            var benchTrain = new dev.pacer.config.TrainSettings(
                    train.lr() * 0.1,
                    Long.MAX_VALUE / 2,
                    train.globalBatch(),
                    train.microBatch(),
                    train.seqLen(),
                    "constant",
                    0.0,
                    train.minLrRatio(),
                    train.decayFraction(),
                    train.gradClip(),
                    Long.MAX_VALUE / 2,
                    train.evalSequences());
            GradientSource gradients = new SparkGradients(jsc, data, worker);
            try (StepBackend backend =
                    new DriverBackend(layout, settings.optimizer(), benchTrain.gradClip(), gradients)) {
                Controllers controllers = Controllers.of(
                        benchTrain,
                        dev.pacer.adalrs.AdaLrsSettings.off(),
                        dev.pacer.hidlr.HiDlrSettings.off(),
                        layout,
                        partitions);
                new TrainingLoop(backend, controllers, benchTrain, layout, null, List.of(collect))
                        .run(RunState.fresh(layout.initialWeights(settings.seed())), warmup + steps, Long.MAX_VALUE);
            }
        }
        return timings;
    }

    private static double mean(List<StepTimings> t, java.util.function.ToDoubleFunction<StepTimings> f) {
        return t.stream().mapToDouble(f).average().orElse(0);
    }
}
