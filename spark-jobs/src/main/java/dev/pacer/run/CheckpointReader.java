package dev.pacer.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.adalrs.AdaLrsState;
import dev.pacer.checkpoint.CheckpointFormatException;
import dev.pacer.checkpoint.NamedTensor;
import dev.pacer.hidlr.HiDlrState;
import dev.pacer.model.ParameterLayout;
import dev.pacer.model.TensorSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;

/**
 * Reads a checkpoint directory back: checks it (state.json and every tensor file's header against
 * its size and the model's tensors, without reading tensor data) and reads its training points
 * into this JVM, from either file layout ({@link CheckpointTensors}).
 */
final class CheckpointReader {

    private static final String DELETE_ADVICE = "; delete this checkpoint directory to resume from the previous one";

    private final RunStorage storage;
    private final ParameterLayout layout;

    CheckpointReader(RunStorage storage, ParameterLayout layout) {
        this.storage = storage;
        this.layout = layout;
    }

    /**
     * Reads state.json and checks every tensor file's header against its size and this model's
     * tensors, without reading tensor data (the driver of a sharded run never holds the weights).
     */
    CheckpointStore.Loaded check(CheckpointStore.Candidate c) throws IOException {
        Path statePath = new Path(c.path(), "state.json");
        JsonNode state;
        try {
            state = JsonLinesLog.JSON.readTree(storage.readAll(statePath));
        } catch (IOException e) {
            throw new CheckpointFormatException(
                    statePath.toString(), "not readable JSON (" + e.getMessage().split("\n")[0] + ")" + DELETE_ADVICE);
        }
        for (String field : List.of("step", "tokens", "optimizer_steps", "optimizer_state")) {
            if (state == null || !state.has(field)) {
                throw new CheckpointFormatException(
                        statePath.toString(), "missing field '" + field + "'" + DELETE_ADVICE);
            }
        }
        List<String> optimizerState = new ArrayList<>();
        state.get("optimizer_state").forEach(n -> optimizerState.add(n.asText()));
        expect(c.path(), CheckpointTensors.MODEL, List.of(""));
        List<String> statePrefixes = optimizerState.stream().map(n -> n + ".").toList();
        expect(c.path(), CheckpointTensors.OPTIMIZER, statePrefixes);
        RunState.Snapshot snapshot = null;
        if (state.has("snapshot_optimizer_steps")) {
            List<String> snapPrefixes = new ArrayList<>(List.of("weights."));
            snapPrefixes.addAll(statePrefixes);
            expect(c.path(), CheckpointTensors.SNAPSHOT, snapPrefixes);
            snapshot = new RunState.Snapshot(typed(state, "snapshot_hidlr", HiDlrState.class, statePath));
        }
        RunState run = new RunState(
                state.get("step").asLong(),
                state.get("tokens").asLong(),
                typed(state, "adalrs", AdaLrsState.class, statePath),
                typed(state, "hidlr", HiDlrState.class, statePath),
                snapshot);
        return new CheckpointStore.Loaded(c, run, state);
    }

    /** Checks that {@code kind}'s files hold, under each prefix, every tensor of this model with its shape. */
    private void expect(Path checkpoint, String kind, List<String> prefixes) throws IOException {
        Map<String, long[]> shapes = CheckpointTensors.shapes(storage, checkpoint, kind);
        String source = new Path(checkpoint, CheckpointTensors.singleFile(kind)).toString();
        for (String prefix : prefixes) {
            for (TensorSpec t : layout.tensors()) {
                String name = prefix + t.name();
                long[] shape = shapes.get(name);
                if (shape == null) {
                    throw new CheckpointStore.ModelMismatchException(
                            source,
                            "has no tensor '" + name + "': it was written for a different model; use the same"
                                    + " pacer.model.preset as the run that wrote it, or a new run directory");
                }
                if (!Arrays.equals(shape, t.shape())) {
                    throw new CheckpointStore.ModelMismatchException(
                            source,
                            "tensor '" + name + "' has shape " + Arrays.toString(shape) + " but this model expects "
                                    + Arrays.toString(t.shape())
                                    + "; use the same pacer.model.preset as the run that wrote it, or a new run"
                                    + " directory");
                }
            }
        }
    }

    /**
     * The training point of a checkpoint read into this JVM (the driver-held update, tools such as
     * evaluate): the weights, and the optimizer state named in its state.json unless
     * {@code weightsOnly}.
     */
    TrainingPoint point(Path checkpoint, boolean weightsOnly) throws IOException {
        return readPoint(checkpoint, CheckpointTensors.MODEL, "", weightsOnly, "optimizer_steps");
    }

    /** The snapshot point of a checkpoint that holds one. */
    TrainingPoint snapshot(Path checkpoint) throws IOException {
        return readPoint(checkpoint, CheckpointTensors.SNAPSHOT, "weights.", false, "snapshot_optimizer_steps");
    }

    private TrainingPoint readPoint(
            Path checkpoint, String weightKind, String prefix, boolean weightsOnly, String steps) throws IOException {
        JsonNode state = JsonLinesLog.JSON.readTree(storage.readAll(new Path(checkpoint, "state.json")));
        float[] weights = new float[layout.totalSize()];
        fill(CheckpointTensors.read(storage, checkpoint, weightKind, n -> n.startsWith(prefix)), prefix, weights);
        Map<String, float[]> opt = new LinkedHashMap<>();
        if (!weightsOnly) {
            String optKind = prefix.isEmpty() ? CheckpointTensors.OPTIMIZER : CheckpointTensors.SNAPSHOT;
            Map<String, NamedTensor> tensors = CheckpointTensors.read(storage, checkpoint, optKind, n -> true);
            for (JsonNode n : state.get("optimizer_state")) {
                float[] v = new float[layout.totalSize()];
                fill(tensors, n.asText() + ".", v);
                opt.put(n.asText(), v);
            }
        }
        return new TrainingPoint(
                weights, opt, weightsOnly ? 0 : state.get(steps).asLong());
    }

    private void fill(Map<String, NamedTensor> tensors, String prefix, float[] into) throws CheckpointFormatException {
        for (TensorSpec t : layout.tensors()) {
            NamedTensor nt = tensors.get(prefix + t.name());
            if (nt == null || nt.data().length != t.size()) {
                throw new CheckpointStore.ModelMismatchException(
                        prefix + t.name(), "missing or of the wrong size in the checkpoint" + DELETE_ADVICE);
            }
            System.arraycopy(nt.data(), 0, into, t.offset(), t.size());
        }
    }

    /** A controller's state from its field of state.json, or null when absent. */
    private static <T> T typed(JsonNode state, String field, Class<T> type, Path source)
            throws CheckpointFormatException {
        JsonNode node = state.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        try {
            return JsonLinesLog.JSON.treeToValue(node, type);
        } catch (IOException | IllegalArgumentException e) {
            throw new CheckpointFormatException(
                    source.toString(),
                    "field '" + field + "' is not a readable " + type.getSimpleName() + " ("
                            + e.getMessage().split("\\n")[0] + ")" + DELETE_ADVICE);
        }
    }
}
