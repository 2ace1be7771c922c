package dev.pacer.adalrs;

import com.typesafe.config.Config;
import dev.pacer.config.Check;
import dev.pacer.config.ConfigChoice;
import dev.pacer.config.ConfigError;
import java.util.Objects;

/** Settings under {@code pacer.adalrs}; documented in core's reference.conf. */
public record AdaLrsSettings(
        boolean enabled,
        int window,
        double alpha,
        double beta,
        double decay,
        double phaseStart,
        double phaseEnd,
        double minScale,
        double maxScale,
        double initialScale,
        double margin,
        Trend trend,
        boolean neutralKeepsWeights,
        Comparison comparison,
        double maxExtraCompute,
        boolean duringWarmup,
        boolean downTrials,
        int climbWindow,
        boolean firstTrialAtStartRate,
        double firstWindow,
        boolean gallop,
        boolean compareAnnealed,
        double compareTail,
        boolean acceptNeutralUp,
        int raceSteps,
        double raceFactor) {

    /** {@code pacer.adalrs.trend}: how the velocity comparison corrects for descent slowing by itself. */
    public enum Trend implements ConfigChoice {
        /** Raw velocities. */
        NONE,
        /** The base velocity scaled by t_base / t_trial (loss ~ a - b·log t). */
        INVERSE_TIME
    }

    /** {@code pacer.adalrs.comparison}: how a trial is judged. */
    public enum Comparison implements ConfigChoice {
        /** The trial replays the base window's steps from its snapshot; losses compared step by step. */
        PAIRED,
        /** The trial window's loss-descent velocity against the base window's. */
        VELOCITY
    }

    public AdaLrsSettings {
        Check.inRange("pacer.adalrs.window", window, 3, 100_000);
        if (!(alpha > 1)) {
            throw new ConfigError("pacer.adalrs.alpha = " + alpha + ": expected an upscale factor > 1");
        }
        if (!(beta > 1)) {
            throw new ConfigError("pacer.adalrs.beta = " + beta + ": expected a downscale factor > 1");
        }
        Check.inRange("pacer.adalrs.decay", decay, 0.5, 1, true);
        Check.inRange("pacer.adalrs.phase-start", phaseStart, 0, 1, false);
        if (!(phaseEnd > phaseStart && phaseEnd <= 1)) {
            throw new ConfigError("pacer.adalrs.phase-end = " + phaseEnd + ": expected a value in (phase-start = "
                    + phaseStart + ", 1]");
        }
        Check.positive("pacer.adalrs.min-scale", minScale);
        if (!(maxScale >= minScale) || Double.isInfinite(maxScale)) {
            throw new ConfigError(
                    "pacer.adalrs.max-scale = " + maxScale + ": expected a finite value >= min-scale = " + minScale);
        }
        if (!(initialScale >= minScale && initialScale <= maxScale)) {
            throw new ConfigError("pacer.adalrs.initial-scale = " + initialScale
                    + ": expected a value in [min-scale, max-scale] = [" + minScale + ", " + maxScale + "]");
        }
        Check.nonNegative("pacer.adalrs.margin", margin);
        Objects.requireNonNull(trend, "trend");
        Objects.requireNonNull(comparison, "comparison");
        Check.inRange("pacer.adalrs.max-extra-compute", maxExtraCompute, 0, 1, true);
        if (climbWindow != 0 && !(climbWindow >= 4 && climbWindow <= window)) {
            throw new ConfigError("pacer.adalrs.climb-window = " + climbWindow + ": expected 0 (= window) or a window"
                    + " in [4, window = " + window + "] (at least two paired differences in its second half)");
        }
        Check.inRange("pacer.adalrs.first-window", firstWindow, 0, 1, false);
        if (firstWindow > 0 && comparison != Comparison.PAIRED) {
            throw new ConfigError(
                    "pacer.adalrs.first-window = " + firstWindow + " needs comparison = \"paired\" (now \""
                            + comparison.id() + "\"); set it to 0 for the velocity comparison");
        }
        if (gallop && (comparison != Comparison.PAIRED || downTrials)) {
            throw new ConfigError("pacer.adalrs.gallop = true needs comparison = \"paired\" and down-trials = false"
                    + " (now \"" + comparison.id() + "\", " + downTrials
                    + "); set gallop = false for the other searches");
        }
        if (compareAnnealed && comparison != Comparison.PAIRED) {
            throw new ConfigError("pacer.adalrs.compare-annealed = true needs comparison = \"paired\" (now \""
                    + comparison.id() + "\"); set it to false for the velocity comparison");
        }
        if (!(compareTail > 0 && compareTail <= 1)) {
            throw new ConfigError("pacer.adalrs.compare-tail = " + compareTail
                    + ": expected a fraction of the window in (0, 1]; 0.5 compares its second half");
        }
        if (compareTail != 0.5 && comparison != Comparison.PAIRED) {
            throw new ConfigError(
                    "pacer.adalrs.compare-tail = " + compareTail + " needs comparison = \"paired\" (now \""
                            + comparison.id() + "\"); leave it at 0.5 for the velocity comparison");
        }
        if (acceptNeutralUp && comparison != Comparison.PAIRED) {
            throw new ConfigError("pacer.adalrs.accept-neutral-up = true needs comparison = \"paired\" (now \""
                    + comparison.id() + "\"); set it to false for the velocity comparison");
        }
        Check.inRange("pacer.adalrs.race-steps", raceSteps, 0, 100_000);
        if (raceSteps > 0 && raceSteps < 4) {
            throw new ConfigError("pacer.adalrs.race-steps = " + raceSteps
                    + ": expected 0 (no race) or at least 4 steps (two paired differences in the compared tail)");
        }
        if (!(raceFactor > 1) || Double.isInfinite(raceFactor)) {
            throw new ConfigError("pacer.adalrs.race-factor = " + raceFactor
                    + ": expected a finite factor > 1 (the race's higher branch runs at initial-scale x race-factor)");
        }
        if (duringWarmup && comparison != Comparison.PAIRED) {
            throw new ConfigError("pacer.adalrs.during-warmup = true needs comparison = \"paired\" (now \""
                    + comparison.id() + "\"): velocities measured while warmup raises the rate are not comparable");
        }
    }

    /** Whether trials replay the base window's steps and compare losses step by step. */
    public boolean paired() {
        return comparison == Comparison.PAIRED;
    }

    /** AdaLRS switched off (the other values are placeholders and unused). */
    public static AdaLrsSettings off() {
        return new AdaLrsSettings(
                false,
                20,
                3,
                2,
                0.99,
                0.1,
                0.4,
                0.01,
                100,
                1,
                1,
                Trend.INVERSE_TIME,
                true,
                Comparison.VELOCITY,
                0.15,
                false,
                true,
                20,
                false,
                0,
                false,
                false,
                0.5,
                false,
                0,
                3.162);
    }

    public static AdaLrsSettings from(Config pacer) {
        Config c = pacer.getConfig("adalrs");
        return new AdaLrsSettings(
                c.getBoolean("enabled"),
                c.getInt("window"),
                c.getDouble("alpha"),
                c.getDouble("beta"),
                c.getDouble("decay"),
                c.getDouble("phase-start"),
                c.getDouble("phase-end"),
                c.getDouble("min-scale"),
                c.getDouble("max-scale"),
                c.getDouble("initial-scale"),
                c.getDouble("margin"),
                ConfigChoice.parse(Trend.class, "pacer.adalrs.trend", c.getString("trend")),
                c.getBoolean("neutral-keeps-weights"),
                ConfigChoice.parse(Comparison.class, "pacer.adalrs.comparison", c.getString("comparison")),
                c.getDouble("max-extra-compute"),
                c.getBoolean("during-warmup"),
                c.getBoolean("down-trials"),
                c.getInt("climb-window"),
                c.getBoolean("first-trial-at-start-rate"),
                c.getDouble("first-window"),
                c.getBoolean("gallop"),
                c.getBoolean("compare-annealed"),
                c.getDouble("compare-tail"),
                c.getBoolean("accept-neutral-up"),
                c.getInt("race-steps"),
                c.getDouble("race-factor"));
    }
}
