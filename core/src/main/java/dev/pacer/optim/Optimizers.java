package dev.pacer.optim;

import dev.pacer.config.OptimizerSettings;

/** Builds the optimizer that {@code pacer.optimizer.name} selects. */
public final class Optimizers {

    private Optimizers() {}

    /** A fresh optimizer for a flat weight vector of {@code size} elements. */
    public static Optimizer create(OptimizerSettings s, int size) {
        return switch (s.name()) {
            case "adamw" -> new AdamW(size, s.beta1(), s.beta2(), s.eps());
            default -> throw new IllegalArgumentException("unknown optimizer '" + s.name() + "'");
        };
    }
}
