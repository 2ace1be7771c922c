package dev.pacer.run;

import java.util.Map;

/**
 * The model at one point of training: its evaluation weights (what is validated, checkpointed
 * and exported; Schedule-Free's averaged point, the training weights for every other optimizer),
 * the optimizer's state vectors and its step count. Restored through the optimizer, it continues
 * exactly as the run that saved it.
 */
public record TrainingPoint(float[] weights, Map<String, float[]> optimizerState, long optimizerSteps)
        implements java.io.Serializable {

    /** Fresh weights and an optimizer that has not stepped. */
    public static TrainingPoint initial(float[] weights) {
        return new TrainingPoint(weights, Map.of(), 0);
    }
}
