package dev.pacer.hidlr;

import java.util.function.IntPredicate;

/**
 * The group rates as multipliers of the base rate, and how accepted proposals move them.
 *
 * <p>Multipliers rather than rates, so the schedule's shape and AdaLRS's level still apply between
 * probes. A proposal moves its group by GeN's smoothing, bounded by {@code max-multiplier}. With
 * AdaLRS on ({@code shapeOnly}) the trainable groups' multipliers are kept at a parameter-weighted
 * geometric mean of 1, so that Hi-DLR sets only the shape and AdaLRS alone the level.
 */
final class GroupMultipliers {

    private final HiDlrSettings settings;
    private final ParameterGroups groups;
    private final boolean shapeOnly;
    private final IntPredicate frozen;
    private final double[] multipliers;

    /** @param frozen whether a group is frozen: frozen groups take no part in the mean */
    GroupMultipliers(HiDlrSettings settings, ParameterGroups groups, boolean shapeOnly, IntPredicate frozen) {
        this.settings = settings;
        this.groups = groups;
        this.shapeOnly = shapeOnly;
        this.frozen = frozen;
        this.multipliers = new double[groups.count()];
        for (int g = 0; g < groups.count(); g++) {
            multipliers[g] =
                    settings.initialMultipliers().getOrDefault(groups.group(g).name(), 1.0);
        }
        normaliseShape();
    }

    /** Group {@code g}'s multiplier, frozen or not. */
    double get(int g) {
        return multipliers[g];
    }

    /** The rates of {@code trainable} groups, in order, at base rate {@code lr}. */
    double[] rates(int[] trainable, double lr) {
        double[] rates = new double[trainable.length];
        for (int j = 0; j < trainable.length; j++) {
            rates[j] = lr * multipliers[trainable[j]];
        }
        return rates;
    }

    /** Sets group {@code g}'s multiplier as a checkpoint recorded it. */
    void restore(int g, double multiplier) {
        multipliers[g] = multiplier;
    }

    /** GeN's smoothing: clip the proposal to [η/2, 2η], average with the old, bound it. */
    void smoothTowards(int g, double proposed) {
        double old = multipliers[g];
        double target = Math.min(2 * old, Math.max(old / 2, proposed));
        double m = settings.smoothing() * old + (1 - settings.smoothing()) * target;
        // the fit is greedy and local: unbounded, it can ratchet a rate up probe after probe
        multipliers[g] = Math.min(settings.maxMultiplier(), Math.max(1 / settings.maxMultiplier(), m));
    }

    /**
     * With AdaLRS on, divides the multipliers by the trainable groups' geometric mean, which
     * proposals and freezing both move; without, the multipliers are absolute and stay as they are.
     */
    void normaliseShape() {
        double mean = shapeOnly ? geometricMean() : Double.NaN;
        if (!Double.isNaN(mean)) {
            for (int g = 0; g < groups.count(); g++) {
                multipliers[g] /= mean;
            }
        }
    }

    /** The parameter-weighted geometric mean of the trainable groups' multipliers. */
    double geometricMean() {
        double logSum = 0;
        double size = 0;
        for (int g = 0; g < groups.count(); g++) {
            if (!frozen.test(g)) {
                logSum += groups.group(g).size() * Math.log(multipliers[g]);
                size += groups.group(g).size();
            }
        }
        return size > 0 ? Math.exp(logSum / size) : Double.NaN;
    }
}
