package dev.pacer.api;

import dev.pacer.report.RunRecords;
import dev.pacer.report.RunReport;
import dev.pacer.run.PacerSettings;
import dev.pacer.run.RunLease;
import dev.pacer.run.RunStorage;
import dev.pacer.run.WritableDirectory;
import dev.pacer.train.PretrainJob;
import dev.pacer.train.TrainingListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts (or resumes) a pretraining run, the job behind {@code bin/pacer pretrain}, from an
 * application: the same run directory layout ({@code metrics.jsonl}, {@code events.jsonl},
 * {@code checkpoints/}, {@code config.json}, {@code report/}) and the same resume behaviour. Run it
 * again with the same {@code pacer.run.dir} and it continues from the newest committed checkpoint;
 * once {@code pacer.train.max-steps} is reached it returns at once.
 *
 * <pre>{@code
 * PretrainResult r = Pretraining.with(PacerConfig.defaults()
 *                 .set("pacer.model.preset", "tiny")
 *                 .set("pacer.data.path", "hdfs:///pacer/data/web")
 *                 .set("pacer.run.dir", "hdfs:///pacer/runs/web-tiny")
 *                 .settings())
 *         .inSession(spark)
 *         .stopAfter(500)
 *         .run();
 * }</pre>
 *
 * <p>In the application's session ({@link #inSession}) the run uses that session as it is and
 * leaves it running: {@code pacer.spark.master} and {@code pacer.spark.conf} are not applied
 * (a warning names them), and the partitions are {@code pacer.spark.partitions}. Without one, the
 * run starts a session from those settings and stops it at the end, as the command line does. Bad
 * settings or data throw {@link dev.pacer.config.ConfigError} before any Spark job; a run directory
 * that another run writes at the time, {@link dev.pacer.run.RunDirectoryInUseException}
 * (docs/run-directory.md).
 */
public final class Pretraining {

    private static final Logger LOG = LoggerFactory.getLogger(Pretraining.class);

    private final PacerSettings settings;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private SparkSession session;
    private long stopAfter;
    private boolean report = true;
    private Consumer<String> reportWarnings = LOG::warn;

    private Pretraining(PacerSettings settings) {
        this.settings = settings;
    }

    /** A run with {@code settings} (see {@link PacerConfig}). */
    public static Pretraining with(PacerSettings settings) {
        return new Pretraining(settings);
    }

    /** Runs in the application's {@code spark}, which stays running. */
    public Pretraining inSession(SparkSession spark) {
        this.session = spark;
        return this;
    }

    /** Stops after computing {@code steps} steps in this call (checkpointed; 0 = until max-steps). */
    public Pretraining stopAfter(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("stopAfter(" + steps + "): expected a step count >= 0");
        }
        this.stopAfter = steps;
        return this;
    }

    /** Also calls {@code listener} on every step, checkpoint and controller event. */
    public Pretraining listener(TrainingListener listener) {
        listeners.add(listener);
        return this;
    }

    /** Whether to write {@code report/} when the run ends (default true). */
    public Pretraining report(boolean write) {
        this.report = write;
        return this;
    }

    /** Where warnings about the report go (default: this class's logger). */
    public Pretraining reportWarnings(Consumer<String> warnings) {
        this.reportWarnings = warnings;
        return this;
    }

    /** Trains until max-steps or {@link #stopAfter}; the outcome, with the report's location. */
    public PretrainResult run() throws IOException {
        if (session != null) {
            warnUnapplied();
        }
        // in local mode this JVM is the executor: its kernels are chosen when libtorch loads
        settings.cpuKernels().pinThisProcess().ifPresent(LOG::warn);
        Configuration hadoop = new Configuration();
        WritableDirectory.require(settings.runDir(), "--run-dir", hadoop);
        // held across the run and its report: the job and the report take it again in this thread
        try (RunLease lease = RunLease.forPretrain(settings.runDir(), settings.leaseTimeout(), hadoop)) {
            return trainAndReport(lease);
        }
    }

    private PretrainResult trainAndReport(RunLease lease) throws IOException {
        PretrainJob job = new PretrainJob(settings, stopAfter, listeners);
        if (session != null) {
            job.inSession(session);
        }
        PretrainJob.Outcome out = job.run();
        lease.checkHeld();
        String html = report ? writeReport(out.runDir()) : null;
        boolean complete = out.corpus() == null;
        RunRecords records = records(out.runDir());
        List<RunRecords.MetricRow> validated = records == null ? List.of() : records.validationRows();
        return new PretrainResult(
                out.runDir(),
                complete,
                out.state().step(),
                settings.train().maxSteps(),
                out.state().tokens(),
                out.finalValLoss(),
                complete ? Double.NaN : out.corpus().order0EntropyBits(),
                records == null ? "token" : records.tokenUnit(),
                validated.isEmpty()
                        ? Double.NaN
                        : validated.get(validated.size() - 1).valBitsPerByte(),
                html);
    }

    private void warnUnapplied() {
        Map<String, String> conf = settings.sparkConf();
        if (!settings.master().isEmpty() || !conf.isEmpty()) {
            LOG.warn(
                    "running in the application's Spark session: pacer.spark.master ({}) and pacer.spark.conf ({})"
                            + " are not applied; set them on the session",
                    settings.master().isEmpty() ? "not set" : settings.master(),
                    conf.isEmpty() ? "empty" : String.join(", ", conf.keySet()));
        }
    }

    /** The run's metric rows and events, or null when they cannot be read (the result then says less). */
    private static RunRecords records(String runDir) {
        try {
            return RunRecords.read(new RunStorage(runDir, new Configuration()), w -> {});
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** RUN_DIR/report/: a report that cannot be written is a warning, never a failed run. */
    private String writeReport(String runDir) {
        try {
            return RunReport.write(runDir, null, new Configuration(), reportWarnings)
                    .html()
                    .toString();
        } catch (Exception | LinkageError e) {
            reportWarnings.accept("the report was not written (" + e + "); retry with: pacer report " + runDir);
            return null;
        }
    }
}
