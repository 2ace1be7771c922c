package dev.pacer.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * A checkpoint's {@code state.json}: the invocation's provenance, then what resuming needs
 * besides the tensors (step, tokens, the controllers' states, the optimizer's step count and state
 * names, the snapshot's step count and Hi-DLR state while an AdaLRS trial is in force).
 */
final class CheckpointStateJson {

    private CheckpointStateJson() {}

    static ObjectNode compose(RunState s, ObjectNode provenance, CheckpointStore.TensorFiles files) {
        ObjectNode stateJson = provenance.deepCopy();
        if (files.snapshotOptimizerSteps() >= 0) {
            stateJson.put("snapshot_optimizer_steps", files.snapshotOptimizerSteps());
            if (s.snapshot() != null && s.snapshot().hidlr() != null) {
                stateJson.set(
                        "snapshot_hidlr",
                        JsonLinesLog.JSON.valueToTree(s.snapshot().hidlr()));
            }
        }
        if (s.adalrs() != null) {
            stateJson.set("adalrs", JsonLinesLog.JSON.valueToTree(s.adalrs()));
        }
        if (s.hidlr() != null) {
            stateJson.set("hidlr", JsonLinesLog.JSON.valueToTree(s.hidlr()));
        }
        stateJson.put("step", s.step());
        stateJson.put("tokens", s.tokens());
        stateJson.put("optimizer_steps", files.optimizerSteps());
        stateJson
                .putArray("optimizer_state")
                .addAll(files.optimizerState().stream().map(stateJson::textNode).toList());
        stateJson.put("written_at", Instant.now().toString());
        return stateJson;
    }
}
