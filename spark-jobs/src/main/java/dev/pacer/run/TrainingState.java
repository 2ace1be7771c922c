package dev.pacer.run;

import java.util.Map;

/**
 * Everything a run needs to continue exactly: weights, optimizer moments and step count, the
 * number of completed steps and tokens. Batches are derived from (seed, step, partition), so no
 * data cursor is needed.
 */
public record TrainingState(
        long step,
        long tokens,
        float[] weights,
        Map<String, float[]> optimizerState,
        long optimizerSteps) {}
