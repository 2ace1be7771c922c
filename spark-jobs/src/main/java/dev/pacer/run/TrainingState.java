package dev.pacer.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * Everything a run needs to continue exactly: weights, optimizer moments and step count, the
 * number of completed steps and tokens, and the learning-rate controller's state with its
 * snapshot when one is in force (a run stopped in the middle of an AdaLRS trial must be able to
 * roll back to it after resuming). Batches are derived from (seed, step, partition), so no data
 * cursor is needed.
 *
 * @param controller AdaLRS state as JSON, or null when AdaLRS is off
 * @param snapshot the weights and optimizer state a rollback would restore, or null
 * @param hidlr Hi-DLR state (group multipliers, influence measurements, frozen groups) as JSON, or
 *     null when Hi-DLR is off
 */
public record TrainingState(
        long step,
        long tokens,
        float[] weights,
        Map<String, float[]> optimizerState,
        long optimizerSteps,
        JsonNode controller,
        Snapshot snapshot,
        JsonNode hidlr) {

    public TrainingState(
            long step,
            long tokens,
            float[] weights,
            Map<String, float[]> optimizerState,
            long optimizerSteps,
            JsonNode controller,
            Snapshot snapshot) {
        this(step, tokens, weights, optimizerState, optimizerSteps, controller, snapshot, null);
    }

    public TrainingState(
            long step, long tokens, float[] weights, Map<String, float[]> optimizerState, long optimizerSteps) {
        this(step, tokens, weights, optimizerState, optimizerSteps, null, null, null);
    }

    /**
     * A copy of the training point that AdaLRS can return to.
     *
     * @param hidlr Hi-DLR's state at that point, or null (Hi-DLR off, or a checkpoint written
     *     before snapshots carried it: a rollback then leaves Hi-DLR's state as it is)
     */
    public record Snapshot(float[] weights, Map<String, float[]> optimizerState, long optimizerSteps, JsonNode hidlr) {}
}
