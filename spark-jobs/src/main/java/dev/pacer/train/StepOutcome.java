package dev.pacer.train;

/**
 * What a step yields to the driver: the mean loss per token, the tokens, the global gradient
 * norm before clipping, whether the update was applied (loss and norm finite), and the
 * backend's part of the timing breakdown (total and validation are the loop's).
 */
public record StepOutcome(double loss, long tokens, double gradNorm, boolean applied, StepTimings timings) {}
