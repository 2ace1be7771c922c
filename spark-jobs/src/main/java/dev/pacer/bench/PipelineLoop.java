package dev.pacer.bench;

import dev.pacer.data.CorpusPartition;
import dev.pacer.engine.Precision;
import dev.pacer.model.ParameterLayout;
import dev.pacer.run.PacerSettings;
import dev.pacer.train.GradientWorker;
import dev.pacer.train.PretrainJob;
import dev.pacer.train.StepTimings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The Spark pipeline in local mode: the real training loop with the update of
 * {@code pacer.spark.update} and one task per partition ({@link PipelineRun}). Precisions alternate in rounds of {@code steps} steps on one Spark session
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
        return PipelineRun.run(settings, settings.update(), jsc, data, worker, layout, warmup, steps)
                .timings();
    }
}
