package dev.pacer.train;

import java.io.Serializable;

/**
 * What one task returns for a Hi-DLR probe: the summed token loss of its share of the probe batch
 * at each probe point (in {@link dev.pacer.hidlr.ProbePlan} order), the token count, and how
 * long the forwards took.
 */
public record ProbeResult(int partition, double[] lossSums, long tokens, long computeNanos) implements Serializable {}
