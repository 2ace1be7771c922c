package dev.pacer.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.config.ConfigError;
import dev.pacer.data.ByteTokenizer;
import dev.pacer.data.CorpusPartition;
import dev.pacer.engine.Precision;
import dev.pacer.hidlr.ParameterGroups;
import dev.pacer.model.ParameterLayout;
import dev.pacer.rates.Controllers;
import dev.pacer.run.CheckpointStore;
import dev.pacer.run.Checkpointing;
import dev.pacer.run.JsonLinesLog;
import dev.pacer.run.MetricsListener;
import dev.pacer.run.PacerSettings;
import dev.pacer.run.ProgressListener;
import dev.pacer.run.RunState;
import dev.pacer.run.RunStorage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pacer pretrain}: checks every input, opens (or resumes) the run directory, loads the
 * corpus into a cached RDD and runs the {@link TrainingLoop}. Everything that can be checked
 * without Spark is checked before the session starts.
 */
public final class PretrainJob {

    private static final Logger LOG = LoggerFactory.getLogger(PretrainJob.class);

    /** How a run ended. */
    public record Outcome(RunState state, double finalValLoss, CorpusStats corpus, String runDir) {}

    private final PacerSettings settings;
    private final long stopAfter;
    private final List<TrainingListener> extraListeners;

    /** @param stopAfter run at most this many steps in this invocation (0 = until max-steps) */
    public PretrainJob(PacerSettings settings, long stopAfter, List<TrainingListener> extraListeners) {
        this.settings = settings;
        this.stopAfter = stopAfter;
        this.extraListeners = extraListeners;
    }

    public Outcome run() throws IOException {
        Configuration hadoop = new Configuration();
        // the data decides the vocabulary; a missing or mismatched dataset fails here, before Spark
        CorpusData corpus = CorpusData.open(settings, hadoop);
        int vocab = corpus.vocabSize();
        ParameterLayout layout = new ParameterLayout(settings.gptConfig(vocab));
        settings.hidlr().checkGroups(ParameterGroups.of(layout, settings.hidlr().grouping()));
        RunStorage storage = new RunStorage(settings.runDir(), hadoop);
        Checkpointing checkpointing = new Checkpointing(
                new CheckpointStore(storage, layout),
                settings.checkpoint().every(),
                settings.checkpoint().keep(),
                JsonLinesLog.row()
                        .put("config_digest", settings.digest())
                        .put("seed", settings.seed())
                        .put("model_preset", settings.model().preset().id())
                        .put("parameter_count", layout.totalSize()));
        StartPoint start = startPoint(checkpointing, hadoop, layout);
        long maxSteps = settings.train().maxSteps();
        if (start.state().step() >= maxSteps) {
            LOG.info(
                    "run {} is already complete at step {} of {}; nothing to do (raise --max-steps to continue it)",
                    storage.root(),
                    start.state().step(),
                    maxSteps);
            return new Outcome(
                    start.state(),
                    lastValidationLoss(storage),
                    null,
                    storage.root().toString());
        }
        // --stop-after counts computed steps: the same as completed steps unless AdaLRS replays
        long iterations = stopAfter > 0 ? stopAfter : Long.MAX_VALUE;
        long stopAt = stopAfter > 0 ? Math.min(maxSteps, start.state().step() + stopAfter) : maxSteps;
        LOG.info(
                "model {} ({} parameters), run directory {}, {} from step {} to {}",
                settings.model().preset().id(),
                layout.totalSize(),
                storage.root(),
                start.resumedFrom() == null ? "starting" : "resuming",
                start.state().step(),
                stopAt);

        try (SparkSession spark = SparkSession.builder().config(sparkConf()).getOrCreate();
                JsonLinesLog metrics = new JsonLinesLog(
                        storage,
                        storage.resolve("metrics.jsonl"),
                        // tokens count every computed step, replays included, so they order the
                        // rows even where AdaLRS's paired comparison repeats step numbers
                        row -> row.path("tokens").asLong() <= start.state().tokens());
                JsonLinesLog events = new JsonLinesLog(storage, storage.resolve("events.jsonl"), row -> true)) {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            storage.writeText(storage.resolve("config.json"), settings.renderJson() + "\n");
            int threads = settings.taskThreads() > 0 ? settings.taskThreads() : threadsPerTask(jsc.getConf());

            jsc.setJobDescription("pacer pretrain: load corpus " + corpus.describe());
            JavaRDD<CorpusPartition> data = corpus.load(jsc);
            CorpusStats stats = data.map(p -> CorpusStats.of(p, vocab)).reduce(CorpusStats::merge);
            checkUsable(stats, corpus.describe());
            logCorpus(stats, corpus.describe(), events);
            events.append(startEvent(start, stopAt, threads, metrics.droppedOnOpen()));
            Precision precision = PrecisionCheck.resolve(settings.precision(), data, settings.device(), events::append);

            double[] lastVal = {Double.NaN};
            List<TrainingListener> listeners = new ArrayList<>();
            listeners.add(new MetricsListener(metrics, events, vocab == ByteTokenizer.VOCAB));
            listeners.addAll(extraListeners);
            listeners.add(new TrainingListener() {
                @Override
                public void onStep(StepRecord r) {
                    if (r.hasValidation()) {
                        lastVal[0] = r.valLoss();
                    }
                }
            });
            RunState end;
            GradientSource gradients = new SparkGradients(jsc, data, worker(layout, threads, precision));
            try (StepBackend backend = new DriverBackend(
                            layout, settings.optimizer(), settings.train().gradClip(), gradients);
                    ProgressListener progress =
                            new ProgressListener(start.state().step(), maxSteps, settings.progressLogSeconds())) {
                listeners.add(progress);
                Controllers controllers = Controllers.of(
                        settings.train(), settings.adalrs(), settings.hidlr(), layout, settings.partitions());
                end = new TrainingLoop(backend, controllers, settings.train(), layout, checkpointing, listeners)
                        .run(start.state(), maxSteps, iterations);
            }
            events.append(JsonLinesLog.row()
                    .put("event", end.step() >= maxSteps ? "finished" : "stopped")
                    .put("step", end.step())
                    .put("tokens", end.tokens())
                    .put("val_loss", lastVal[0])
                    .put("order0_entropy_bits", stats.order0EntropyBits())
                    .put("time", java.time.Instant.now().toString()));
            data.unpersist();
            return new Outcome(end, lastVal[0], stats, storage.root().toString());
        }
    }

    /** Where a run starts: its checkpoint, the warnings met on the way, and the checkpoint's path (null when new). */
    private record StartPoint(RunState state, String resumedFrom, List<String> warnings) {}

    /**
     * The newest loadable checkpoint of the run directory; else the weights of
     * {@code pacer.run.init-from}; else fresh weights from the seed.
     */
    private StartPoint startPoint(Checkpointing checkpointing, Configuration hadoop, ParameterLayout layout)
            throws IOException {
        List<String> warnings = new ArrayList<>();
        Optional<CheckpointStore.Loaded> newest = checkpointing.resume(w -> {
            LOG.warn(w);
            warnings.add(w);
        });
        if (newest.isPresent()) {
            CheckpointStore.Loaded loaded = newest.get();
            String resumedFrom = loaded.candidate().path().toString();
            String digest = loaded.stateJson().path("config_digest").asText("");
            if (!digest.equals(settings.digest())) {
                String w = "settings differ from those of checkpoint " + resumedFrom
                        + " (config digest changed); continuing with the new settings";
                LOG.warn(w);
                warnings.add(w);
            }
            return new StartPoint(loaded.state(), resumedFrom, warnings);
        }
        float[] weights = settings.initFrom().isEmpty()
                ? layout.initialWeights(settings.seed())
                : initialWeightsFrom(settings.initFrom(), hadoop, layout, warnings);
        return new StartPoint(RunState.fresh(weights), null, warnings);
    }

    private ObjectNode startEvent(StartPoint start, long stopAt, int threads, long droppedRows) {
        ObjectNode row = JsonLinesLog.row()
                .put("event", start.resumedFrom() == null ? "start" : "resume")
                .put("step", start.state().step())
                .put("stop_at", stopAt)
                .put("config_digest", settings.digest())
                .put("threads_per_task", threads)
                .put("partitions", settings.partitions())
                .put("time", java.time.Instant.now().toString());
        if (start.resumedFrom() != null) {
            row.put("checkpoint", start.resumedFrom()).put("metric_rows_dropped", droppedRows);
        }
        start.warnings().forEach(w -> row.withArray("warnings").add(w));
        return row;
    }

    /** The executor side of this run's steps, in the precision the settings ask for. */
    GradientWorker worker(ParameterLayout layout, int threads) {
        return worker(layout, threads, settings.precision());
    }

    /** The executor side of this run's steps, computing in {@code precision}. */
    public GradientWorker worker(ParameterLayout layout, int threads, Precision precision) {
        return new GradientWorker(
                layout.config(),
                settings.seed(),
                settings.train().globalBatch(),
                settings.partitions(),
                settings.train().microBatch(),
                settings.train().evalSequences(),
                threads,
                settings.device(),
                settings.compute(),
                precision,
                settings.gradientEncoding());
    }

    /**
     * Continued pretraining: the weights of the checkpoint at {@code location}, which must hold
     * this run's model (same preset and vocabulary).
     */
    private static float[] initialWeightsFrom(
            String location, Configuration hadoop, ParameterLayout layout, List<String> warnings) throws IOException {
        String input = "pacer.run.init-from";
        dev.pacer.run.TrainedModel model = dev.pacer.run.TrainedModel.open(
                location,
                hadoop,
                w -> {
                    LOG.warn(w);
                    warnings.add(w);
                },
                input);
        if (!model.layout().config().equals(layout.config())) {
            throw new ConfigError(input + " " + location + ": the checkpoint holds a "
                    + model.preset().id()
                    + " model with a vocabulary of " + model.layout().config().vocab() + " tokens, this run trains "
                    + layout.config() + "; set pacer.model.preset and the data to match the checkpoint, or use"
                    + " another checkpoint");
        }
        LOG.info("continued pretraining: starting from the weights of {}", model.describe());
        warnings.add("started from the weights of " + model.checkpoint() + " (pacer.run.init-from)");
        return model.weights();
    }

    private static double lastValidationLoss(RunStorage storage) throws IOException {
        double last = Double.NaN;
        var path = storage.resolve("metrics.jsonl");
        if (storage.exists(path)) {
            for (String line : new String(storage.readAll(path), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                try {
                    var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
                    if (node != null && node.has("val_loss")) {
                        last = node.get("val_loss").asDouble();
                    }
                } catch (IOException e) {
                    // a cut-off last row carries nothing to report
                }
            }
        }
        return last;
    }

    private SparkConf sparkConf() {
        SparkConf conf = settings.sparkConf("pacer pretrain");
        // unless the user set them: weights are float noise to a compressor, so compressing each
        // step's broadcast only costs time; gradients come back as task results, and above this
        // size Spark parks each in the block manager and fetches it again (~110 ms a step, small preset)
        conf.setIfMissing("spark.broadcast.compress", "false");
        conf.setIfMissing("spark.task.maxDirectResultSize", "128m");
        return conf;
    }

    /**
     * libtorch threads per task: executor cores / tasks running at once on an executor
     * ({@code spark.task.cpus} each), i.e. the cores each task is entitled to.
     */
    static int threadsPerTask(SparkConf conf) {
        String master = conf.get("spark.master", "local[2]");
        int cores;
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("local\\[(\\d+|\\*)(,\\d+)?]").matcher(master);
        if (m.matches()) {
            cores = "*".equals(m.group(1)) ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(m.group(1));
        } else if (master.equals("local")) {
            cores = 1;
        } else {
            cores = conf.getInt("spark.executor.cores", 1);
        }
        int taskCpus = conf.getInt("spark.task.cpus", 1);
        return dev.pacer.engine.EngineThreads.perTask(cores, Math.max(1, cores / taskCpus));
    }

    private void checkUsable(CorpusStats s, String source) {
        if (s.trainSequences() == 0) {
            throw new ConfigError("corpus " + source + " yields no training sequence of "
                    + (settings.train().seqLen() + 1) + " tokens (" + s.documentsRead()
                    + " documents read); give a larger corpus or a smaller pacer.train.seq-len");
        }
        if (s.emptyTrainPartitions() > 0) {
            throw new ConfigError("corpus " + source + " leaves " + s.emptyTrainPartitions()
                    + " of " + settings.partitions() + " partitions without a training sequence;"
                    + " lower pacer.spark.partitions or give a larger corpus");
        }
        if (s.validationSequences() == 0) {
            throw new ConfigError("corpus " + source + " yields no validation sequence; raise"
                    + " pacer.data.validation-fraction (now " + settings.data().validationFraction()
                    + ") or give a larger corpus");
        }
    }

    private static void logCorpus(CorpusStats s, String source, JsonLinesLog events) {
        LOG.info(
                "corpus {}: {} documents read ({} train, {} validation), {} train and {} validation sequences;"
                        + " skipped {} blank lines, {} tail tokens that filled no sequence; {} lines had invalid"
                        + " UTF-8 (replaced); order-0 entropy {} bits/byte",
                source,
                s.documentsRead(),
                s.trainDocuments(),
                s.validationDocuments(),
                s.trainSequences(),
                s.validationSequences(),
                s.blankLines(),
                s.droppedTailTokens(),
                s.invalidUtf8Lines(),
                String.format("%.4f", s.order0EntropyBits()));
        events.append(JsonLinesLog.row()
                .put("event", "corpus")
                .put("source", source)
                .put("documents_read", s.documentsRead())
                .put("train_documents", s.trainDocuments())
                .put("validation_documents", s.validationDocuments())
                .put("train_sequences", s.trainSequences())
                .put("validation_sequences", s.validationSequences())
                .put("skipped_blank_lines", s.blankLines())
                .put("dropped_tail_tokens", s.droppedTailTokens())
                .put("invalid_utf8_lines", s.invalidUtf8Lines())
                .put("order0_entropy_bits", s.order0EntropyBits()));
    }
}
