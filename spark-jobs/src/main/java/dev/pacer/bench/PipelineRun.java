package dev.pacer.bench;

import dev.pacer.config.TrainSettings;
import dev.pacer.data.CorpusPartition;
import dev.pacer.model.ParameterLayout;
import dev.pacer.rates.Controllers;
import dev.pacer.run.ModelSource;
import dev.pacer.run.PacerSettings;
import dev.pacer.run.RunState;
import dev.pacer.schedule.ScheduleKind;
import dev.pacer.train.DriverBackend;
import dev.pacer.train.DriverTraffic;
import dev.pacer.train.GradientWorker;
import dev.pacer.train.SparkGradients;
import dev.pacer.train.StepBackend;
import dev.pacer.train.StepRecord;
import dev.pacer.train.StepTimings;
import dev.pacer.train.TrainingListener;
import dev.pacer.train.TrainingLoop;
import dev.pacer.train.sharded.ShardedBackend;
import dev.pacer.train.sharded.SparkRanks;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * The training loop on Spark for a benchmark: training steps only (no validation, no controllers),
 * with the driver-held or the sharded update, collecting each measured step's timings and the
 * bytes that reached the driver as task results (Spark's own {@code resultSize} metric).
 */
final class PipelineRun {

    /**
     * What a run measured over its measured steps (after warm-up): per-step timings, task-result
     * bytes into the driver per step, and bytes the driver sent per step (task closures and
     * broadcasts, {@link DriverTraffic}).
     */
    record Measured(List<StepTimings> timings, double resultBytesPerStep, double sentBytesPerStep) {}

    private PipelineRun() {}

    static Measured run(
            PacerSettings settings,
            PacerSettings.Update update,
            JavaSparkContext jsc,
            JavaRDD<CorpusPartition> data,
            GradientWorker worker,
            ParameterLayout layout,
            int warmup,
            int steps)
            throws IOException {
        List<StepTimings> timings = new ArrayList<>();
        long[] resultBytes = {0};
        long[] sent = {0};
        boolean[] measuring = {false};
        SparkListener traffic = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (measuring[0] && end.taskMetrics() != null) {
                    synchronized (resultBytes) {
                        resultBytes[0] += end.taskMetrics().resultSize();
                    }
                }
            }
        };
        jsc.sc().addSparkListener(traffic);
        TrainingListener collect = new TrainingListener() {
            @Override
            public void onStep(StepRecord r) {
                if (r.step() > warmup) {
                    timings.add(r.timings());
                }
                measuring[0] = r.step() >= warmup;
                if (r.step() == warmup) {
                    DriverTraffic.start();
                }
            }
        };
        TrainSettings bench = benchTrain(settings.train());
        try (StepBackend backend = update == PacerSettings.Update.SHARDED
                ? new ShardedBackend(
                        new SparkRanks(jsc, data),
                        worker,
                        layout,
                        settings.optimizer(),
                        bench.gradClip(),
                        jsc.hadoopConfiguration(),
                        settings.weightEncoding(),
                        settings.fusedStep())
                : new DriverBackend(
                        null, layout, settings.optimizer(), bench.gradClip(), new SparkGradients(jsc, data, worker))) {
            Controllers controllers = Controllers.of(
                    bench,
                    dev.pacer.adalrs.AdaLrsSettings.off(),
                    dev.pacer.hidlr.HiDlrSettings.off(),
                    layout,
                    worker.partitions());
            if (warmup == 0) {
                DriverTraffic.start();
            }
            new TrainingLoop(backend, controllers, bench, layout, null, List.of(collect))
                    .run(RunState.fresh(), new ModelSource.Fresh(settings.seed()), warmup + steps, Long.MAX_VALUE);
            sent[0] = DriverTraffic.stop();
        } finally {
            jsc.sc().removeSparkListener(traffic);
        }
        // the listener bus delivers task ends shortly after the job: wait for the last ones
        try {
            jsc.sc().listenerBus().waitUntilEmpty(10_000);
        } catch (java.util.concurrent.TimeoutException e) {
            // a late task-end is missing from the count: the bytes are a lower bound
        }
        return new Measured(timings, resultBytes[0] / (double) steps, sent[0] / (double) steps);
    }

    /** The run's training settings with a constant rate and no validation: training steps only. */
    private static TrainSettings benchTrain(TrainSettings t) {
        return new TrainSettings(
                t.lr() * 0.1,
                Long.MAX_VALUE / 2,
                t.globalBatch(),
                t.microBatch(),
                t.seqLen(),
                ScheduleKind.CONSTANT,
                0.0,
                t.minLrRatio(),
                t.decayFraction(),
                t.gradClip(),
                Long.MAX_VALUE / 2,
                t.evalSequences());
    }
}
