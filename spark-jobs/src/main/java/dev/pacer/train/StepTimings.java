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

    public double tokensPerSecond() {
        return totalMs <= 0 ? 0 : stepTokens * 1000.0 / (totalMs - validationMs);
    }
}
