package dev.pacer.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.config.ConfigError;
import dev.pacer.data.CorpusPartition;
import dev.pacer.model.ParameterLayout;
import dev.pacer.run.CheckpointStore;
import dev.pacer.run.JsonLinesLog;
import dev.pacer.run.MetricsListener;
import dev.pacer.run.PacerSettings;
import dev.pacer.run.ProgressListener;
import dev.pacer.run.RunStorage;
import dev.pacer.run.RunTokenizer;
import dev.pacer.run.TrainingState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    public record Outcome(TrainingState state, double finalValLoss, CorpusStats corpus, String runDir) {}

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
        settings.hidlr()
                .checkGroups(dev.pacer.hidlr.ParameterGroups.of(
                        layout, settings.hidlr().grouping()));
        RunStorage storage = new RunStorage(settings.runDir(), hadoop);
        CheckpointStore checkpoints = new CheckpointStore(storage, layout);
        List<String> warnings = new ArrayList<>();
        Optional<CheckpointStore.Loaded> newest = checkpoints.newestLoadable(w -> {
            LOG.warn(w);
            warnings.add(w);
        });
        TrainingState start;
        String resumedFrom = null;
        if (newest.isPresent()) {
            CheckpointStore.Loaded loaded = newest.get();
            start = loaded.state();
            resumedFrom = loaded.candidate().path().toString();
            String digest = loaded.stateJson().path("config_digest").asText("");
            if (!digest.equals(settings.digest())) {
                String w = "settings differ from those of checkpoint " + resumedFrom
                        + " (config digest changed); continuing with the new settings";
                LOG.warn(w);
                warnings.add(w);
            }
        } else if (!settings.initFrom().isEmpty()) {
            start = new TrainingState(
                    0, 0, initialWeightsFrom(settings.initFrom(), hadoop, layout, warnings), Map.of(), 0);
        } else {
            start = new TrainingState(0, 0, layout.initialWeights(settings.seed()), Map.of(), 0);
        }
        long maxSteps = settings.train().maxSteps();
        if (start.step() >= maxSteps) {
            LOG.info(
                    "run {} is already complete at step {} of {}; nothing to do (raise --max-steps to continue it)",
                    storage.root(),
                    start.step(),
                    maxSteps);
            return new Outcome(
                    start, lastValidationLoss(storage), null, storage.root().toString());
        }
        // --stop-after counts computed steps: the same as completed steps unless AdaLRS replays
        long iterations = stopAfter > 0 ? stopAfter : Long.MAX_VALUE;
        long stopAt = stopAfter > 0 ? Math.min(maxSteps, start.step() + stopAfter) : maxSteps;
        LOG.info(
                "model {} ({} parameters), run directory {}, {} from step {} to {}",
                settings.model().preset().id(),
                layout.totalSize(),
                storage.root(),
                resumedFrom == null ? "starting" : "resuming",
                start.step(),
                stopAt);

        try (SparkSession spark = SparkSession.builder().config(sparkConf()).getOrCreate();
                JsonLinesLog metrics = new JsonLinesLog(
                        storage,
                        storage.resolve("metrics.jsonl"),
                        // tokens count every computed step, replays included, so they order the
                        // rows even where AdaLRS's paired comparison repeats step numbers
                        row -> row.path("tokens").asLong() <= start.tokens());
                JsonLinesLog events = new JsonLinesLog(storage, storage.resolve("events.jsonl"), row -> true)) {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            storage.writeText(storage.resolve("config.json"), settings.renderJson() + "\n");
            RunTokenizer.save(storage, corpus.tokenizer());
            int threads = settings.taskThreads() > 0 ? settings.taskThreads() : threadsPerTask(jsc.getConf());

            jsc.setJobDescription("pacer pretrain: load corpus " + corpus.describe());
            JavaRDD<CorpusPartition> data = corpus.load(jsc);
            CorpusStats stats = data.map(p -> CorpusStats.of(p, vocab)).reduce(CorpusStats::merge);
            checkUsable(stats, corpus.describe());
            logCorpus(stats, corpus.describe(), events);

            ObjectNode startRow = JsonLinesLog.row()
                    .put("event", resumedFrom == null ? "start" : "resume")
                    .put("step", start.step())
                    .put("stop_at", stopAt)
                    .put("config_digest", settings.digest())
                    .put("threads_per_task", threads)
                    .put("partitions", settings.partitions())
                    .put("time", java.time.Instant.now().toString());
            if (resumedFrom != null) {
                startRow.put("checkpoint", resumedFrom).put("metric_rows_dropped", metrics.droppedOnOpen());
            }
            warnings.forEach(w -> startRow.withArray("warnings").add(w));
            events.append(startRow);

            GradientWorker worker = new GradientWorker(
                    layout.config(),
                    settings.seed(),
                    settings.train().globalBatch(),
                    settings.partitions(),
                    settings.train().microBatch(),
                    settings.train().evalSequences(),
                    threads,
                    settings.device());
            List<TrainingListener> listeners = new ArrayList<>();
            listeners.add(
                    new MetricsListener(metrics, events, ValidationBytes.count(data, corpus.tokenizer(), settings)));
            listeners.addAll(extraListeners);
            double[] lastVal = {Double.NaN};
            listeners.add(new TrainingListener() {
                @Override
                public void onStep(StepRecord r) {
                    if (r.hasValidation()) {
                        lastVal[0] = r.valLoss();
                    }
                }
            });
            ObjectNode tokenizerRecord = RunTokenizer.record(corpus.tokenizer());
            TrainingState end;
            try (ProgressListener progress =
                    new ProgressListener(start.step(), maxSteps, settings.progressLogSeconds())) {
                listeners.add(progress);
                TrainingLoop loop = new TrainingLoop(
                        jsc,
                        data,
                        layout,
                        settings.train(),
                        settings.optimizer(),
                        settings.adalrs(),
                        settings.hidlr(),
                        worker,
                        settings.checkpoint().every(),
                        state -> {
                            String where = checkpoints
                                    .write(
                                            state,
                                            JsonLinesLog.row()
                                                    .put("config_digest", settings.digest())
                                                    .put("seed", settings.seed())
                                                    .put(
                                                            "model_preset",
                                                            settings.model()
                                                                    .preset()
                                                                    .id())
                                                    .put("parameter_count", layout.totalSize())
                                                    .set(RunTokenizer.STATE_FIELD, tokenizerRecord))
                                    .toString();
                            for (var gone :
                                    checkpoints.prune(settings.checkpoint().keep())) {
                                events.append(JsonLinesLog.row()
                                        .put("event", "checkpoint_pruned")
                                        .put("path", gone.toString()));
                            }
                            return where;
                        },
                        listeners);
                end = loop.run(start, maxSteps, iterations);
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
