package dev.pacer.train;

import java.io.Serializable;

/**
 * What one task returns for one step: the gradient of its summed token loss, that loss, its
 * token count, and how long its forward/backward took (for the overhead breakdown).
 */
public record StepResult(int partition, float[] gradients, double lossSum, long tokens, long computeNanos)
        implements Serializable {}
