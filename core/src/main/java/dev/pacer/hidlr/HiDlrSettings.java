package dev.pacer.hidlr;

import com.typesafe.config.Config;
import dev.pacer.config.Check;
import dev.pacer.config.ConfigChoice;
import dev.pacer.config.ConfigError;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Settings under {@code pacer.hidlr}; documented in core's reference.conf.
 *
 * @param every          probe every this many steps; 0 = derived from {@code maxOverhead}
 * @param probeSequences sequences in a probe batch; 0 = a quarter of the global batch
 * @param offsets        probe offsets in units of the group's current rate
 */
public record HiDlrSettings(
        boolean enabled,
        ParameterGroups.Strategy grouping,
        long every,
        double maxOverhead,
        int probeSequences,
        double[] offsets,
        double minR2,
        double smoothing,
        double maxMultiplier,
        Mode mode,
        Freeze freeze,
        Map<String, Double> initialMultipliers) {

    /**
     * {@code pacer.hidlr.mode}: whether Hi-DLR's rates are absolute or only the shape of the rates
     * ({@link #shapeOnly}).
     */
    public enum Mode implements ConfigChoice {
        /** Only the shape when AdaLRS sets the level, absolute otherwise. */
        AUTO,
        /** Never normalised. */
        ABSOLUTE,
        /** Always only the shape: the level stays pacer.train.lr x schedule. */
        SHAPE
    }

    /** The parameter-efficient mode: freeze the groups of low influence (PPI) after an early phase. */
    public record Freeze(boolean enabled, int measureProbes, Rule rule, double budget, double threshold) {

        /** {@code pacer.hidlr.freeze.rule}: which groups keep training. */
        public enum Rule implements ConfigChoice {
            /** The groups of highest PPI whose parameters fit in the budget. */
            BUDGET,
            /** The groups whose PPI is at least the threshold times the highest. */
            THRESHOLD
        }

        public Freeze {
            Check.inRange("pacer.hidlr.freeze.measure-probes", measureProbes, 1, 1_000);
            Objects.requireNonNull(rule, "rule");
            Check.inRange("pacer.hidlr.freeze.budget", budget, 0, 1, true);
            if (!(budget > 0)) {
                throw new ConfigError(
                        "pacer.hidlr.freeze.budget = " + budget + ": expected a fraction of the parameters in (0, 1]");
            }
            Check.inRange("pacer.hidlr.freeze.threshold", threshold, 0, 1, true);
        }
    }

    public HiDlrSettings {
        Check.inRange("pacer.hidlr.every", every, 0, 1_000_000_000L);
        Check.inRange("pacer.hidlr.max-overhead", maxOverhead, 0, 1, true);
        if (!(maxOverhead > 0)) {
            throw new ConfigError("pacer.hidlr.max-overhead = " + maxOverhead + ": expected a fraction in (0, 1]");
        }
        Check.inRange("pacer.hidlr.probe-sequences", probeSequences, 0, 1_000_000);
        offsets = offsets.clone();
        long distinct = Arrays.stream(offsets).distinct().count();
        boolean zero = Arrays.stream(offsets).anyMatch(o -> o == 0 || !Double.isFinite(o));
        if (offsets.length < 2 || distinct != offsets.length || zero) {
            throw new ConfigError("pacer.hidlr.offsets = " + Arrays.toString(offsets)
                    + ": expected at least 2 distinct, finite, non-zero multiples of the rate, e.g. [-2, -1, 1, 2]");
        }
        Check.inRange("pacer.hidlr.min-r2", minR2, 0, 1, true);
        Check.inRange("pacer.hidlr.smoothing", smoothing, 0, 1, false);
        if (!(maxMultiplier >= 1) || Double.isInfinite(maxMultiplier)) {
            throw new ConfigError("pacer.hidlr.max-multiplier = " + maxMultiplier
                    + ": expected a finite factor >= 1 (1 keeps every group at the base rate)");
        }
        Objects.requireNonNull(mode, "mode");
        initialMultipliers = Collections.unmodifiableMap(new TreeMap<>(initialMultipliers));
        for (Map.Entry<String, Double> e : initialMultipliers.entrySet()) {
            double m = e.getValue();
            if (!(m >= 1 / maxMultiplier && m <= maxMultiplier)) {
                throw new ConfigError("pacer.hidlr.initial-multipliers." + e.getKey() + " = " + m
                        + ": expected a factor in [1 / max-multiplier, max-multiplier] = [" + 1 / maxMultiplier + ", "
                        + maxMultiplier + "]");
            }
        }
        if (!initialMultipliers.isEmpty() && !enabled) {
            throw new ConfigError("pacer.hidlr.initial-multipliers is set but pacer.hidlr.enabled = false;"
                    + " enable Hi-DLR (with a large pacer.hidlr.every for fixed multipliers) or remove them");
        }
        if (freeze.enabled() && !enabled) {
            throw new ConfigError("pacer.hidlr.freeze.enabled = true needs pacer.hidlr.enabled = true:"
                    + " the frozen mode ranks groups by Hi-DLR's probes");
        }
    }

    /** Hi-DLR off (for code paths that never probe, such as the throughput benchmark). */
    public static HiDlrSettings off() {
        return new HiDlrSettings(
                false,
                ParameterGroups.Strategy.KIND,
                0,
                0.1,
                0,
                new double[] {-2, -1, 1, 2},
                0.9,
                0.9,
                10,
                Mode.AUTO,
                new Freeze(false, 3, Freeze.Rule.BUDGET, 0.5, 0.1),
                Map.of());
    }

    /**
     * Refuses initial multipliers for groups the grouping does not have, naming the ones it has;
     * called before Spark starts.
     */
    public void checkGroups(ParameterGroups groups) {
        List<String> names = new java.util.ArrayList<>();
        for (int g = 0; g < groups.count(); g++) {
            names.add(groups.group(g).name());
        }
        for (String key : initialMultipliers.keySet()) {
            if (!names.contains(key)) {
                throw new ConfigError("pacer.hidlr.initial-multipliers." + key + ": no such parameter group under"
                        + " grouping " + grouping.id() + "; its groups are " + names);
            }
        }
    }

    @Override
    public double[] offsets() {
        return offsets.clone();
    }

    public static HiDlrSettings from(Config pacer) {
        Config c = pacer.getConfig("hidlr");
        ParameterGroups.Strategy grouping =
                ConfigChoice.parse(ParameterGroups.Strategy.class, "pacer.hidlr.grouping", c.getString("grouping"));
        List<Double> offsets = c.getDoubleList("offsets");
        Config f = c.getConfig("freeze");
        return new HiDlrSettings(
                c.getBoolean("enabled"),
                grouping,
                c.getLong("every"),
                c.getDouble("max-overhead"),
                c.getInt("probe-sequences"),
                offsets.stream().mapToDouble(Double::doubleValue).toArray(),
                c.getDouble("min-r2"),
                c.getDouble("smoothing"),
                c.getDouble("max-multiplier"),
                ConfigChoice.parse(Mode.class, "pacer.hidlr.mode", c.getString("mode")),
                new Freeze(
                        f.getBoolean("enabled"),
                        f.getInt("measure-probes"),
                        ConfigChoice.parse(Freeze.Rule.class, "pacer.hidlr.freeze.rule", f.getString("rule")),
                        f.getDouble("budget"),
                        f.getDouble("threshold")),
                initialMultipliers(c));
    }

    private static Map<String, Double> initialMultipliers(Config c) {
        Map<String, Double> m = new TreeMap<>();
        for (String key : c.getObject("initial-multipliers").keySet()) {
            String path = "initial-multipliers." + com.typesafe.config.ConfigUtil.quoteString(key);
            try {
                m.put(key, c.getDouble(path));
            } catch (com.typesafe.config.ConfigException.WrongType e) {
                throw new ConfigError("pacer.hidlr.initial-multipliers." + key + ": expected a number, e.g. "
                        + "initial-multipliers { norm = 2 }");
            }
        }
        return m;
    }

    /**
     * Whether Hi-DLR sets only the shape of the rates (multipliers normalised to a
     * parameter-weighted geometric mean of 1): always in mode {@code shape}, never in
     * {@code absolute}, and in {@code auto} exactly when AdaLRS sets the level.
     */
    public boolean shapeOnly(boolean adalrsEnabled) {
        return mode == Mode.SHAPE || (mode == Mode.AUTO && adalrsEnabled);
    }

    /** Sequences in one probe batch: the setting, or a quarter of the global batch (at least one per partition). */
    public int probeSequences(int globalBatch, int partitions) {
        return probeSequences > 0 ? probeSequences : Math.max(partitions, (globalBatch + 3) / 4);
    }

    /**
     * Steps between probes: the setting, or the smallest interval at which a probe's forwards cost
     * at most {@code maxOverhead} of the training compute in between. A training step over
     * {@code globalBatch} sequences costs about three forwards of each (forward plus a backward of
     * twice the work); a probe over {@code probeSequences} sequences costs {@code offsets·K + 1}.
     */
    public long every(int groups, int globalBatch, int partitions) {
        if (every > 0) {
            return every;
        }
        double probe = (offsets.length * (double) groups + 1) * probeSequences(globalBatch, partitions);
        double step = 3.0 * globalBatch;
        return Math.max(1, (long) Math.ceil(probe / (step * maxOverhead)));
    }
}
