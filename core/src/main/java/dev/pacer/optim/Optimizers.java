package dev.pacer.optim;

import dev.pacer.config.OptimizerHyperparameters;
import dev.pacer.config.OptimizerSettings;

/** Builds the optimizer that {@code pacer.optimizer.name} selects. */
public final class Optimizers {

    private Optimizers() {}

    /**
     * A fresh optimizer for a flat weight vector of {@code size} elements. Weight decay is not part of it:
     * it comes per tensor with each step's slices ({@link OptimizerSettings#weightDecayFor}).
     */
    public static Optimizer create(OptimizerSettings s, int size) {
        OptimizerHyperparameters h = s.hyper();
        return switch (s.name()) {
            case "adamw" -> new AdamW(size, s.beta1(), s.beta2(), s.eps());
            case "sgd" ->
                new SgdMomentum(
                        size, h.sgd().momentum(), h.sgd().dampening(), h.sgd().nesterov());
            case "lion" -> new Lion(size, h.lion().beta1(), h.lion().beta2());
            case "adabelief" ->
                new AdaBelief(
                        size,
                        h.adabelief().beta1(),
                        h.adabelief().beta2(),
                        h.adabelief().eps(),
                        h.adabelief().rectify());
            case "adan" ->
                new Adan(
                        size,
                        h.adan().beta1(),
                        h.adan().beta2(),
                        h.adan().beta3(),
                        h.adan().eps());
            case "lamb" ->
                new Lamb(size, h.lamb().beta1(), h.lamb().beta2(), h.lamb().eps());
            case "diffgrad" ->
                new DiffGrad(
                        size,
                        h.diffgrad().beta1(),
                        h.diffgrad().beta2(),
                        h.diffgrad().eps());
            case "adamp" ->
                new AdamP(
                        size,
                        h.adamp().beta1(),
                        h.adamp().beta2(),
                        h.adamp().eps(),
                        h.adamp().delta(),
                        h.adamp().wdRatio(),
                        h.adamp().nesterov());
            case "sgd-sai" ->
                new SgdSai(
                        size,
                        h.sgdSai().momentum(),
                        h.sgdSai().eps(),
                        h.sgdSai().normalize());
            case "prodigy" ->
                new Prodigy(
                        size,
                        h.prodigy().beta1(),
                        h.prodigy().beta2(),
                        h.prodigy().beta3(),
                        h.prodigy().eps(),
                        h.prodigy().d0(),
                        h.prodigy().dCoef(),
                        h.prodigy().growthRate(),
                        h.prodigy().biasCorrection(),
                        h.prodigy().safeguardWarmup());
            case "schedule-free-adamw" ->
                new ScheduleFreeAdamW(
                        size,
                        h.scheduleFree().beta1(),
                        h.scheduleFree().beta2(),
                        h.scheduleFree().eps(),
                        h.scheduleFree().r(),
                        h.scheduleFree().weightLrPower());
            default ->
                throw new IllegalArgumentException(
                        "unknown optimizer '" + s.name() + "'; valid: " + String.join(", ", OptimizerSettings.NAMES));
        };
    }
}
