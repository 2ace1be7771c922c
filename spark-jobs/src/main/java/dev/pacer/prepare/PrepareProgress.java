package dev.pacer.prepare;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console progress of a prepare phase: tasks done over tasks of the phase's Spark job, with
 * rate and ETA, polled from Spark's status tracker while the job runs. On a terminal it redraws
 * in place; otherwise it writes a line every few seconds, like the training progress line.
 */
final class PrepareProgress {

    private static final Logger LOG = LoggerFactory.getLogger("pacer.progress");

    private final JavaSparkContext jsc;
    private final long logIntervalSeconds;

    PrepareProgress(JavaSparkContext jsc, long logIntervalSeconds) {
        this.jsc = jsc;
        this.logIntervalSeconds = logIntervalSeconds;
    }

    /** Waits for {@code job}, showing its progress as {@code phase}; returns its result. */
    <T> T await(String phase, JavaFutureAction<T> job) throws ExecutionException, InterruptedException {
        ProgressBarBuilder b = new ProgressBarBuilder()
                .setTaskName("prepare: " + phase)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(" tasks", 1)
                .setInitialMax(1)
                .startsFrom(0, Duration.ZERO);
        if (System.console() == null) {
            b.setConsumer(new DelegatingProgressBarConsumer(LOG::info, 150))
                    .setUpdateIntervalMillis((int) Math.min(Integer.MAX_VALUE, logIntervalSeconds * 1000));
        } else {
            b.setUpdateIntervalMillis(500);
        }
        try (ProgressBar bar = b.build()) {
            while (true) {
                try {
                    T result = job.get(250, TimeUnit.MILLISECONDS);
                    update(bar, job.jobIds());
                    bar.stepTo(bar.getMax());
                    return result;
                } catch (TimeoutException e) {
                    update(bar, job.jobIds());
                }
            }
        }
    }

    private void update(ProgressBar bar, List<Integer> jobIds) {
        long total = 0;
        long done = 0;
        for (int id : jobIds) {
            SparkJobInfo job = jsc.statusTracker().getJobInfo(id);
            if (job == null) {
                continue;
            }
            for (int stage : job.stageIds()) {
                SparkStageInfo s = jsc.statusTracker().getStageInfo(stage);
                if (s != null) {
                    total += s.numTasks();
                    done += s.numCompletedTasks();
                }
            }
        }
        if (total > 0) {
            bar.maxHint(total);
            bar.stepTo(Math.min(done, total));
        }
    }
}
