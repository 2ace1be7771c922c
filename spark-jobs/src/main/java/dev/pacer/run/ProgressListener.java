package dev.pacer.run;

import dev.pacer.train.StepRecord;
import dev.pacer.train.TrainingListener;
import java.time.Duration;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console progress line: step, loss, learning rate, tokens/s and ETA. On a terminal it
 * redraws in place; otherwise (logs, CI, nightly jobs) it writes a line every few seconds.
 */
public final class ProgressListener implements TrainingListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("pacer.progress");

    private final ProgressBar bar;
    private double smoothedRate = Double.NaN;
    private double lastVal = Double.NaN;

    public ProgressListener(long startStep, long maxSteps, long logIntervalSeconds) {
        ProgressBarBuilder b = new ProgressBarBuilder()
                .setTaskName("pretrain")
                .setInitialMax(maxSteps)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(" steps", 1)
                .startsFrom(startStep, Duration.ZERO);
        if (System.console() == null) {
            b.setConsumer(new DelegatingProgressBarConsumer(LOG::info, 150))
                    .setUpdateIntervalMillis((int) Math.min(Integer.MAX_VALUE, logIntervalSeconds * 1000));
        } else {
            b.setUpdateIntervalMillis(500);
        }
        this.bar = b.build();
    }

    @Override
    public void onStep(StepRecord r) {
        double rate = r.timings().tokensPerSecond();
        smoothedRate = Double.isNaN(smoothedRate) ? rate : 0.9 * smoothedRate + 0.1 * rate;
        if (r.hasValidation()) {
            lastVal = r.valLoss();
        }
        bar.setExtraMessage(String.format(
                "loss %.4f%s lr %.2e %,.0f tok/s",
                r.loss(), Double.isNaN(lastVal) ? "" : String.format(" val %.4f", lastVal), r.lr(), smoothedRate));
        bar.stepTo(r.step());
    }

    @Override
    public void close() {
        bar.close();
    }
}
