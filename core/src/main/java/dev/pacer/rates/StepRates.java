package dev.pacer.rates;

import java.util.Arrays;

/**
 * The learning rates of one step, as the {@link RateController}s shape them: the base rate
 * (peak × schedule factor × AdaLRS level), and per tensor a multiplier (Hi-DLR's group rate) or
 * frozen (no gradient, no update). Each tensor's rate is {@code lr() × multiplier}.
 */
public final class StepRates {

    private double lr;
    private double level = 1;
    private final double[] multiplier;
    private final boolean[] frozen;
    private boolean anyFrozen;

    /** Rates of a model with {@code tensors} tensors, starting at {@code peak} for every one. */
    public StepRates(double peak, int tensors) {
        this.lr = peak;
        this.multiplier = new double[tensors];
        Arrays.fill(multiplier, 1.0);
        this.frozen = new boolean[tensors];
    }

    /** Multiplies the base rate by a schedule factor. */
    public void scaleBase(double factor) {
        lr *= factor;
    }

    /** Multiplies the base rate by a search level, and records the level. */
    public void scaleLevel(double level) {
        this.level = level;
        lr *= level;
    }

    public void setMultiplier(int tensor, double m) {
        multiplier[tensor] = m;
    }

    public void freeze(int tensor) {
        frozen[tensor] = true;
        anyFrozen = true;
    }

    /** The base rate: peak × schedule × level. */
    public double lr() {
        return lr;
    }

    /** AdaLRS's level (1 without it). */
    public double level() {
        return level;
    }

    public int tensors() {
        return multiplier.length;
    }

    /** Tensor {@code t}'s rate; 0 when frozen. */
    public double tensorRate(int t) {
        return frozen[t] ? 0 : lr * multiplier[t];
    }

    public boolean frozen(int t) {
        return frozen[t];
    }

    /** Per tensor whether it trains, or null when none is frozen (every tensor trains). */
    public boolean[] trainable() {
        if (!anyFrozen) {
            return null;
        }
        boolean[] t = new boolean[frozen.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = !frozen[i];
        }
        return t;
    }
}
