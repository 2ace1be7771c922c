package dev.pacer.train;

import dev.pacer.data.CorpusPartition;
import dev.pacer.engine.Precision;
import dev.pacer.model.ParameterLayout;
import dev.pacer.run.CheckpointStore;
import dev.pacer.run.Checkpointing;
import dev.pacer.run.JsonLinesLog;
import dev.pacer.run.PacerSettings;
import dev.pacer.run.RunLease;
import dev.pacer.run.RunState;
import dev.pacer.run.RunStorage;
import dev.pacer.run.RunTokenizer;
import java.io.IOException;
import java.util.List;
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
    private SparkSession session;

    /** @param stopAfter run at most this many steps in this invocation (0 = until max-steps) */
    public PretrainJob(PacerSettings settings, long stopAfter, List<TrainingListener> extraListeners) {
        this.settings = settings;
        this.stopAfter = stopAfter;
        this.extraListeners = extraListeners;
    }

    /** Runs in {@code spark} (an application's session, dev.pacer.api), which the run leaves running. */
    public PretrainJob inSession(SparkSession spark) {
        this.session = spark;
        return this;
    }

    public Outcome run() throws IOException {
        Configuration hadoop = new Configuration();
        // the data decides the vocabulary; a missing or mismatched dataset fails here, before Spark
        CorpusData corpus = CorpusData.open(settings, hadoop);
        int vocab = corpus.vocabSize();
        ParameterLayout layout = new ParameterLayout(settings.gptConfig(vocab));
        dev.pacer.run.WritableDirectory.require(settings.runDir(), "--run-dir", hadoop);
        try (RunLease runLease = RunLease.forPretrain(settings.runDir(), settings.leaseTimeout(), hadoop)) {
            return run(hadoop, corpus, layout, runLease);
        }
    }

    /** The run, while this invocation holds the run directory's lease (one writer per run directory). */
    private Outcome run(Configuration hadoop, CorpusData corpus, ParameterLayout layout, RunLease runLease)
            throws IOException {
        int vocab = corpus.vocabSize();
        RunStorage storage = new RunStorage(settings.runDir(), hadoop);
        Checkpointing checkpointing = new Checkpointing(
                        new CheckpointStore(storage, layout),
                        settings.checkpoint().every(),
                        settings.checkpoint().keep(),
                        corpus.recordVersion(JsonLinesLog.row())
                                .put("config_digest", settings.digest())
                                .put("seed", settings.seed())
                                .put("model_preset", settings.model().preset().id())
                                .put("parameter_count", layout.totalSize())
                                .set(RunTokenizer.STATE_FIELD, RunTokenizer.record(corpus.tokenizer())))
                .fencedBy(runLease);
        RunStart start = RunStart.of(settings, checkpointing, hadoop, layout);
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

        try (dev.pacer.run.SessionLease lease = dev.pacer.run.SessionLease.open(session, sparkConf());
                JsonLinesLog events = new JsonLinesLog(storage, storage.resolve("events.jsonl"), row -> true)) {
            JavaSparkContext jsc =
                    JavaSparkContext.fromSparkContext(lease.session().sparkContext());
            storage.writeText(storage.resolve("config.json"), settings.renderJson() + "\n");
            RunTokenizer.save(storage, corpus.tokenizer());
            int threads = settings.taskThreads() > 0 ? settings.taskThreads() : threadsPerTask(jsc.getConf());

            jsc.setJobDescription("pacer pretrain: load corpus " + corpus.describe());
            JavaRDD<CorpusPartition> data = corpus.load(jsc);
            CorpusStats stats = data.map(p -> CorpusStats.of(p, vocab)).reduce(CorpusStats::merge);
            stats.checkUsable(settings, corpus.describe());
            stats.log(corpus.describe(), events);
            // the bytes the fixed validation set's tokens stand for: bits per byte for any tokenizer
            ValidationBytes validationBytes = ValidationBytes.count(data, corpus.tokenizer(), settings);
            Precision precision = PrecisionCheck.resolve(settings.precision(), data, settings.device(), events::append);
            TrainingAttempt attempt = new TrainingAttempt(
                    settings,
                    extraListeners,
                    worker(layout, threads, precision),
                    jsc,
                    data,
                    corpus,
                    validationBytes,
                    layout,
                    storage,
                    checkpointing,
                    events,
                    threads,
                    stopAt);
            RunStart from = start;
            RunState end;
            for (int lost = 0; ; lost++) {
                try {
                    end = attempt.train(from, lost == 0 ? iterations : Long.MAX_VALUE, lost == 0);
                    break;
                } catch (dev.pacer.train.sharded.LostStateException e) {
                    if (lost >= MAX_RESTARTS) {
                        throw new IllegalStateException(
                                "the executors lost the run's state " + (lost + 1)
                                        + " times (last: " + e.getMessage()
                                        + "); check the executors' logs for why they"
                                        + " die, then rerun to resume from the newest checkpoint",
                                e);
                    }
                    // state Spark cannot recompute is gone with an executor: start again from the
                    // newest checkpoint (rows after it are dropped and recomputed, exactly)
                    from = RunStart.of(settings, checkpointing, hadoop, layout);
                    LOG.warn("{}; restarting from {}", e.getMessage(), from.describe());
                    events.append(JsonLinesLog.row()
                            .put("event", "state_lost")
                            .put("reason", e.getMessage())
                            .put("restart_from", from.describe())
                            .put("time", java.time.Instant.now().toString()));
                }
            }
            events.append(JsonLinesLog.row()
                    .put("event", end.step() >= maxSteps ? "finished" : "stopped")
                    .put("step", end.step())
                    .put("tokens", end.tokens())
                    .put("val_loss", attempt.lastValidation())
                    .put("order0_entropy_bits", stats.order0EntropyBits())
                    .put("time", java.time.Instant.now().toString()));
            data.unpersist();
            return new Outcome(
                    end, attempt.lastValidation(), stats, storage.root().toString());
        }
    }

    /** Restarts from the newest checkpoint after the executors lost a sharded run's state, at most this often. */
    private static final int MAX_RESTARTS = 3;

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
        if (settings.update() == PacerSettings.Update.SHARDED) {
            // a rank's state stays on the executor that caches its data partition: its tasks wait
            // for that executor instead of running elsewhere after Spark's default 3 s
            conf.setIfMissing("spark.locality.wait", "30min");
            // a fused step is a barrier job: when Spark lacks a slot for every rank, give up after
            // about 30 s (Spark's default waits 10 minutes) and fall back to three jobs a step
            conf.setIfMissing("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "1s");
            conf.setIfMissing("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "30");
        }
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
}
