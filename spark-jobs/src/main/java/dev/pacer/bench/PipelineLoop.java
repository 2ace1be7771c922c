package dev.pacer.bench;

import dev.pacer.adalrs.AdaLrsSettings;
import dev.pacer.config.TrainSettings;
import dev.pacer.data.CorpusPartition;
import dev.pacer.engine.Precision;
import dev.pacer.hidlr.HiDlrSettings;
import dev.pacer.model.ParameterLayout;
import dev.pacer.rates.Controllers;
import dev.pacer.run.PacerSettings;
import dev.pacer.run.RunState;
import dev.pacer.train.DriverBackend;
import dev.pacer.train.GradientWorker;
import dev.pacer.train.PretrainJob;
import dev.pacer.train.SparkGradients;
import dev.pacer.train.StepBackend;
import dev.pacer.train.StepRecord;
import dev.pacer.train.StepTimings;
import dev.pacer.train.TrainingListener;
import dev.pacer.train.TrainingLoop;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The Spark pipeline in local mode: the real training loop over a {@link DriverBackend} and one
 * task per partition. Precisions alternate in rounds of {@code steps} steps on one Spark session
 * and one cached corpus, so a busy machine slows each alike.
 */
final class PipelineLoop {

    private PipelineLoop() {}

    static List<List<StepTimings>> run(
            PacerSettings settings,
            ParameterLayout layout,
            JavaSparkContext jsc,
            JavaRDD<CorpusPartition> data,
            int threadsPerTask,
            List<Precision> precisions,
            int warmup,
            int steps,
            int rounds)
            throws IOException {
        List<List<StepTimings>> out = new ArrayList<>();
        precisions.forEach(p -> out.add(new ArrayList<>()));
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < precisions.size(); k++) {
                // rotate the order each round, as the plain loop does each step
                int i = (r + k) % precisions.size();
                out.get(i).addAll(steps(settings, layout, jsc, data, threadsPerTask, precisions.get(i), warmup, steps));
            }
        }
        return out;
    }

    private static List<StepTimings> steps(
            PacerSettings settings,
            ParameterLayout layout,
            JavaSparkContext jsc,
            JavaRDD<CorpusPartition> data,
            int threadsPerTask,
            Precision precision,
            int warmup,
            int steps)
            throws IOException {
        GradientWorker worker = new PretrainJob(settings, 0, List.of()).worker(layout, threadsPerTask, precision);
        List<StepTimings> timings = new ArrayList<>();
        TrainingListener collect = new TrainingListener() {
            @Override
            public void onStep(StepRecord r) {
                if (r.step() > warmup) {
                    timings.add(r.timings());
                }
            }
        };
        TrainSettings train = constantRateWithoutValidation(settings.train());
        try (StepBackend backend = new DriverBackend(
                layout, settings.optimizer(), train.gradClip(), new SparkGradients(jsc, data, worker))) {
            Controllers controllers =
                    Controllers.of(train, AdaLrsSettings.off(), HiDlrSettings.off(), layout, settings.partitions());
            new TrainingLoop(backend, controllers, train, layout, null, List.of(collect))
                    .run(RunState.fresh(layout.initialWeights(settings.seed())), warmup + steps, Long.MAX_VALUE);
        }
        return timings;
    }

    /** The run's training settings with a constant rate and validation beyond the run: training steps only. */
    private static TrainSettings constantRateWithoutValidation(TrainSettings train) {
        return new TrainSettings(
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
    }
}
