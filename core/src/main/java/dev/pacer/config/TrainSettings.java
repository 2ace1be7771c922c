package dev.pacer.config;

import com.typesafe.config.Config;
import dev.pacer.schedule.ScheduleKind;
import java.util.Objects;

/** Settings under {@code pacer.train}; documented in core's reference.conf. */
public record TrainSettings(
        double lr,
        long maxSteps,
        int globalBatch,
        int microBatch,
        int seqLen,
        ScheduleKind schedule,
        double warmupFraction,
        double minLrRatio,
        double decayFraction,
        double gradClip,
        long evalEvery,
        int evalSequences) {

    public TrainSettings {
        Check.positive("pacer.train.lr", lr);
        Check.positive("pacer.train.max-steps", maxSteps);
        Check.positive("pacer.train.global-batch", globalBatch);
        Check.positive("pacer.train.micro-batch", microBatch);
        Check.inRange("pacer.train.seq-len", seqLen, 2, 1 << 16);
        Objects.requireNonNull(schedule, "schedule");
        Check.inRange("pacer.train.warmup-fraction", warmupFraction, 0, 1, false);
        Check.inRange("pacer.train.min-lr-ratio", minLrRatio, 0, 1, true);
        if (!(decayFraction > 0 && decayFraction <= 1)) {
            throw new ConfigError("pacer.train.decay-fraction = " + decayFraction + ": expected a value in (0, 1]");
        }
        Check.nonNegative("pacer.train.grad-clip", gradClip);
        Check.positive("pacer.train.eval-every", evalEvery);
        Check.positive("pacer.train.eval-sequences", evalSequences);
    }

    /** Warmup length in steps: the fraction of the planned steps, rounded down. */
    public long warmupSteps() {
        return (long) Math.floor(warmupFraction * maxSteps);
    }

    public static TrainSettings from(Config pacer) {
        Config c = pacer.getConfig("train");
        return new TrainSettings(
                c.getDouble("lr"),
                c.getLong("max-steps"),
                c.getInt("global-batch"),
                c.getInt("micro-batch"),
                c.getInt("seq-len"),
                ConfigChoice.parse(ScheduleKind.class, "pacer.train.schedule", c.getString("schedule")),
                c.getDouble("warmup-fraction"),
                c.getDouble("min-lr-ratio"),
                c.getDouble("decay-fraction"),
                c.getDouble("grad-clip"),
                c.getLong("eval-every"),
                c.getInt("eval-sequences"));
    }
}
