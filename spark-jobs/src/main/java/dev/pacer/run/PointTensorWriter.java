package dev.pacer.run;

import dev.pacer.checkpoint.NamedTensor;
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
 * Writes a training point held in this JVM (and its AdaLRS snapshot, if any) as single-file
 * tensors: the driver-held update's way of checkpointing. The flat parameter and moment arrays are
 * cut into the model's named tensors along {@link ParameterLayout}.
 *
 * @param snapshot the AdaLRS snapshot to write beside the point, or null
 */
record PointTensorWriter(RunStorage storage, ParameterLayout layout, TrainingPoint current, TrainingPoint snapshot)
        implements CheckpointStore.TensorWriter {

    @Override
    public CheckpointStore.TensorFiles write(Path d, long step) throws IOException {
        // a fixed key order: Map.of iterates in an order salted per JVM, which made the same
        // weights' files differ in their header bytes between a run and its resumption
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pacer-checkpoint-1");
        meta.put("step", Long.toString(step));
        write(d, CheckpointTensors.MODEL, tensors("", current.weights()), meta);
        write(d, CheckpointTensors.OPTIMIZER, optimizerTensors(current), meta);
        if (snapshot != null) {
            List<NamedTensor> snap = new ArrayList<>(tensors("weights.", snapshot.weights()));
            snap.addAll(optimizerTensors(snapshot));
            write(d, CheckpointTensors.SNAPSHOT, snap, meta);
        }
        return new CheckpointStore.TensorFiles(
                List.copyOf(current.optimizerState().keySet()),
                current.optimizerSteps(),
                snapshot == null ? -1 : snapshot.optimizerSteps());
    }

    private void write(Path d, String kind, List<NamedTensor> tensors, Map<String, String> meta) throws IOException {
        CheckpointTensors.write(storage.fs(), new Path(d, CheckpointTensors.singleFile(kind)), tensors, meta);
    }

    private List<NamedTensor> optimizerTensors(TrainingPoint p) {
        List<NamedTensor> out = new ArrayList<>();
        for (Map.Entry<String, float[]> e : p.optimizerState().entrySet()) {
            out.addAll(tensors(e.getKey() + ".", e.getValue()));
        }
        return out;
    }

    private List<NamedTensor> tensors(String prefix, float[] flat) {
        List<NamedTensor> out = new ArrayList<>(layout.tensors().size());
        for (TensorSpec t : layout.tensors()) {
            out.add(new NamedTensor(
                    prefix + t.name(), t.shape(), Arrays.copyOfRange(flat, t.offset(), t.offset() + t.size())));
        }
        return out;
    }
}
