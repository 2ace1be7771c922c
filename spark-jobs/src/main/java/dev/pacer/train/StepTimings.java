package dev.pacer.train;

/**
 * Where a step's wall time went, in milliseconds: broadcasting weights, the Spark job (task
 * scheduling, compute, returning gradients), of which the slowest task's forward/backward,
 * summing gradients on the driver, the optimizer update, and validation if any.
 */
public record StepTimings(
        double totalMs,
        double broadcastMs,
        double jobMs,
        double slowestTaskMs,
        double sumMs,
        double optimizerMs,
        double validationMs,
        long stepTokens) {

    /** These timings with the step's total and its validation time filled in. */
    public StepTimings finish(double total, double validation) {
        return new StepTimings(total, broadcastMs, jobMs, slowestTaskMs, sumMs, optimizerMs, validation, stepTokens);
    }

    public double tokensPerSecond() {
        return totalMs <= 0 ? 0 : stepTokens * 1000.0 / (totalMs - validationMs);
    }
}
