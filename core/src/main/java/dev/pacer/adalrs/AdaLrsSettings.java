package dev.pacer.adalrs;

import com.typesafe.config.Config;
import dev.pacer.config.Check;
import dev.pacer.config.ConfigError;

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
        String trend,
        boolean neutralKeepsWeights,
        String comparison,
        double maxExtraCompute,
        boolean duringWarmup,
        boolean downTrials,
        int climbWindow,
        boolean firstTrialAtStartRate,
        double firstWindow,
        boolean gallop,
        boolean compareAnnealed) {

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
        Check.oneOf("pacer.adalrs.trend", trend, "none", "inverse-time");
        Check.oneOf("pacer.adalrs.comparison", comparison, "paired", "velocity");
        Check.inRange("pacer.adalrs.max-extra-compute", maxExtraCompute, 0, 1, true);
        if (climbWindow != 0 && !(climbWindow >= 4 && climbWindow <= window)) {
            throw new ConfigError("pacer.adalrs.climb-window = " + climbWindow + ": expected 0 (= window) or a window"
                    + " in [4, window = " + window + "] (at least two paired differences in its second half)");
        }
        Check.inRange("pacer.adalrs.first-window", firstWindow, 0, 1, false);
        if (firstWindow > 0 && !"paired".equals(comparison)) {
            throw new ConfigError(
                    "pacer.adalrs.first-window = " + firstWindow + " needs comparison = \"paired\" (now \"" + comparison
                            + "\"); set it to 0 for the velocity comparison");
        }
        if (gallop && (!"paired".equals(comparison) || downTrials)) {
            throw new ConfigError("pacer.adalrs.gallop = true needs comparison = \"paired\" and down-trials = false"
                    + " (now \"" + comparison + "\", " + downTrials + "); set gallop = false for the other searches");
        }
        if (compareAnnealed && !"paired".equals(comparison)) {
            throw new ConfigError("pacer.adalrs.compare-annealed = true needs comparison = \"paired\" (now \""
                    + comparison + "\"); set it to false for the velocity comparison");
        }
        if (duringWarmup && !"paired".equals(comparison)) {
            throw new ConfigError("pacer.adalrs.during-warmup = true needs comparison = \"paired\" (now \"" + comparison
                    + "\"): velocities measured while warmup raises the rate are not comparable");
        }
    }

    /** Whether trials replay the base window's steps and compare losses step by step. */
    public boolean paired() {
        return "paired".equals(comparison);
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
                "inverse-time",
                true,
                "velocity",
                0.15,
                false,
                true,
                20,
                false,
                0,
                false,
                false);
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
                c.getString("trend"),
                c.getBoolean("neutral-keeps-weights"),
                c.getString("comparison"),
                c.getDouble("max-extra-compute"),
                c.getBoolean("during-warmup"),
                c.getBoolean("down-trials"),
                c.getInt("climb-window"),
                c.getBoolean("first-trial-at-start-rate"),
                c.getDouble("first-window"),
                c.getBoolean("gallop"),
                c.getBoolean("compare-annealed"));
    }
}
