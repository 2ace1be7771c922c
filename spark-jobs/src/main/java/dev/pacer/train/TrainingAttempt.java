package dev.pacer.train;

import dev.pacer.data.CorpusPartition;
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
import dev.pacer.train.sharded.ShardedBackend;
import dev.pacer.train.sharded.SparkRanks;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/** One attempt at the training loop of a run, from a start point, with its own metrics log. */
final class TrainingAttempt {
    private final PacerSettings settings;
    private final List<TrainingListener> extraListeners;
    private final GradientWorker worker;
    private final JavaSparkContext jsc;
    private final JavaRDD<CorpusPartition> data;
    private final CorpusData corpus;
    private final ValidationBytes validationBytes;
    private final ParameterLayout layout;
    private final RunStorage storage;
    private final Checkpointing checkpointing;
    private final JsonLinesLog events;
    private final int threads;
    private final long stopAt;
    private double lastVal = Double.NaN;

    TrainingAttempt(
            PacerSettings settings,
            List<TrainingListener> extraListeners,
            GradientWorker worker,
            JavaSparkContext jsc,
            JavaRDD<CorpusPartition> data,
            CorpusData corpus,
            ValidationBytes validationBytes,
            ParameterLayout layout,
            RunStorage storage,
            Checkpointing checkpointing,
            JsonLinesLog events,
            int threads,
            long stopAt) {
        this.settings = settings;
        this.extraListeners = extraListeners;
        this.worker = worker;
        this.jsc = jsc;
        this.data = data;
        this.corpus = corpus;
        this.validationBytes = validationBytes;
        this.layout = layout;
        this.storage = storage;
        this.checkpointing = checkpointing;
        this.events = events;
        this.threads = threads;
        this.stopAt = stopAt;
    }

    double lastValidation() {
        return lastVal;
    }

    RunState train(RunStart start, long iterations, boolean first) throws IOException {
        try (JsonLinesLog metrics = new JsonLinesLog(
                storage,
                storage.resolve("metrics.jsonl"),
                // tokens count every computed step, replays included, so they order the rows
                // even where AdaLRS's paired comparison repeats step numbers
                row -> row.path("tokens").asLong() <= start.state().tokens())) {
            events.append(start.event(settings, stopAt, threads, metrics.droppedOnOpen()));
            if (first) {
                corpus.logVersionChange(start.resumedFrom(), start.state().step(), events);
            }
            List<TrainingListener> listeners = new ArrayList<>();
            listeners.add(new MetricsListener(metrics, events, validationBytes));
            listeners.addAll(extraListeners);
            listeners.add(new TrainingListener() {
                @Override
                public void onStep(StepRecord r) {
                    if (r.hasValidation()) {
                        lastVal = r.valLoss();
                    }
                }
            });
            long maxSteps = settings.train().maxSteps();
            try (StepBackend backend = backend(jsc, data, layout, checkpointing.store());
                    ProgressListener progress =
                            new ProgressListener(start.state().step(), maxSteps, settings.progressLogSeconds())) {
                listeners.add(progress);
                Controllers controllers = Controllers.of(
                        settings.train(), settings.adalrs(), settings.hidlr(), layout, settings.partitions());
                return new TrainingLoop(backend, controllers, settings.train(), layout, checkpointing, listeners)
                        .run(start.state(), start.model(), stopAt, iterations);
            }
        }
    }

    private StepBackend backend(
            JavaSparkContext jsc, JavaRDD<CorpusPartition> data, ParameterLayout layout, CheckpointStore store) {
        if (settings.update() == PacerSettings.Update.SHARDED) {
            return new ShardedBackend(
                    new SparkRanks(jsc, data),
                    worker,
                    layout,
                    settings.optimizer(),
                    settings.train().gradClip(),
                    jsc.hadoopConfiguration(),
                    settings.weightEncoding(),
                    settings.fusedStep());
        }
        return new DriverBackend(
                store,
                layout,
                settings.optimizer(),
                settings.train().gradClip(),
                new SparkGradients(jsc, data, worker));
    }
}
