package dev.pacer.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.adalrs.AdaLrsState;
import dev.pacer.checkpoint.CheckpointFormatException;
import dev.pacer.checkpoint.NamedTensor;
import dev.pacer.checkpoint.SafeTensors;
import dev.pacer.hidlr.HiDlrState;
import dev.pacer.model.ParameterLayout;
import dev.pacer.model.TensorSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/**
 * {@code checkpoints/step-NNNNNNN/} directories: {@code model.safetensors} (weights by GPT-2
 * name), {@code optimizer.safetensors} (each optimizer state vector per tensor, e.g.
 * {@code exp_avg.h.0.attn.c_attn.weight}), {@code state.json}, and the empty {@code COMMITTED}
 * marker written last. A directory without the marker is an interrupted write and is never
 * resumed from.
 */
public final class CheckpointStore {

    public static final String MARKER = "COMMITTED";
    private static final Pattern DIR = Pattern.compile("step-(\\d{7,})");

    private final RunStorage storage;
    private final ParameterLayout layout;
    private final Path dir;

    public CheckpointStore(RunStorage storage, ParameterLayout layout) {
        this.storage = storage;
        this.layout = layout;
        this.dir = storage.resolve("checkpoints");
    }

    public Path directoryFor(long step) {
        return new Path(dir, String.format("step-%07d", step));
    }

    /** Writes a checkpoint; returns its directory. {@code provenance} opens its state.json. */
    public Path write(RunState s, ObjectNode provenance) throws IOException {
        Path d = directoryFor(s.step());
        if (storage.exists(d)) {
            storage.fs().delete(d, true); // an interrupted earlier write of the same step
        }
        storage.fs().mkdirs(d);
        // a fixed key order: Map.of iterates in an order salted per JVM, which made the same
        // weights' files differ in their header bytes between a run and its resumption
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pacer-checkpoint-1");
        meta.put("step", Long.toString(s.step()));
        TrainingPoint current = s.current();
        storage.writeAll(new Path(d, "model.safetensors"), encode(tensors("", current.weights()), meta));
        storage.writeAll(new Path(d, "optimizer.safetensors"), encode(optimizerTensors(current), meta));
        ObjectNode stateJson = provenance.deepCopy();
        if (s.snapshot() != null) {
            // an AdaLRS trial in progress: its rollback point must survive a restart
            TrainingPoint snap = s.snapshot().point();
            List<NamedTensor> tensors = new ArrayList<>(tensors("weights.", snap.weights()));
            tensors.addAll(optimizerTensors(snap));
            storage.writeAll(new Path(d, "snapshot.safetensors"), encode(tensors, meta));
            stateJson.put("snapshot_optimizer_steps", snap.optimizerSteps());
            if (s.snapshot().hidlr() != null) {
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
        stateJson.put("optimizer_steps", current.optimizerSteps());
        stateJson
                .putArray("optimizer_state")
                .addAll(current.optimizerState().keySet().stream()
                        .map(stateJson::textNode)
                        .toList());
        stateJson.put("written_at", Instant.now().toString());
        storage.writeAll(
                new Path(d, "state.json"),
                JsonLinesLog.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(stateJson));
        storage.writeAll(new Path(d, MARKER), new byte[0]);
        return d;
    }

    private List<NamedTensor> optimizerTensors(TrainingPoint p) {
        List<NamedTensor> out = new ArrayList<>();
        for (Map.Entry<String, float[]> e : p.optimizerState().entrySet()) {
            out.addAll(tensors(e.getKey() + ".", e.getValue()));
        }
        return out;
    }

    /** Deletes committed checkpoints beyond the newest {@code keep}; returns what it deleted. */
    public List<Path> prune(int keep) throws IOException {
        List<Path> deleted = new ArrayList<>();
        List<Candidate> committed = list().stream().filter(Candidate::committed).toList();
        for (int i = keep; i < committed.size(); i++) {
            storage.fs().delete(committed.get(i).path(), true);
            deleted.add(committed.get(i).path());
        }
        return deleted;
    }

    /** Deletes a checkpoint directory. */
    public void delete(Candidate c) throws IOException {
        storage.fs().delete(c.path(), true);
    }

    /** A checkpoint directory found on disk. */
    public record Candidate(long step, Path path, boolean committed) {}

    /** Checkpoint directories, newest first. */
    public List<Candidate> list() throws IOException {
        List<Candidate> out = new ArrayList<>();
        if (!storage.exists(dir)) {
            return out;
        }
        for (FileStatus st : storage.fs().listStatus(dir)) {
            Matcher m = DIR.matcher(st.getPath().getName());
            if (st.isDirectory() && m.matches()) {
                out.add(new Candidate(
                        Long.parseLong(m.group(1)), st.getPath(), storage.exists(new Path(st.getPath(), MARKER))));
            }
        }
        out.sort(Comparator.comparingLong(Candidate::step).reversed());
        return out;
    }

    /**
     * The newest committed checkpoint, if any. Newer directories without the marker are
     * reported to {@code warn} and skipped.
     */
    public Optional<Candidate> newestCommitted(Consumer<String> warn) throws IOException {
        for (Candidate c : list()) {
            if (c.committed()) {
                return Optional.of(c);
            }
            warn.accept(uncommitted(c));
        }
        return Optional.empty();
    }

    /**
     * The newest committed checkpoint that loads. A damaged one (a file truncated, unreadable or
     * missing) is reported to {@code warn} and skipped, as an interrupted write is, so the run
     * loses only the steps since the previous checkpoint. A checkpoint of another model is an
     * error, since every older one would be too; so is finding only damaged ones, because
     * starting the run over would silently discard it.
     */
    public Optional<Loaded> newestLoadable(Consumer<String> warn) throws IOException {
        CheckpointFormatException newestDamage = null;
        for (Candidate c : list()) {
            if (!c.committed()) {
                warn.accept(uncommitted(c));
                continue;
            }
            try {
                return Optional.of(load(c));
            } catch (ModelMismatchException e) {
                throw e;
            } catch (CheckpointFormatException e) {
                newestDamage = newestDamage == null ? e : newestDamage;
                warn.accept("checkpoint " + c.path() + " is damaged, ignoring it and using an older one: "
                        + e.getMessage());
            }
        }
        if (newestDamage != null) {
            throw newestDamage;
        }
        return Optional.empty();
    }

    private static String uncommitted(Candidate c) {
        return "checkpoint " + c.path() + " has no " + MARKER
                + " marker (its write was interrupted); ignoring it and using an older one";
    }

    /** A readable checkpoint written for a model of another shape. */
    public static final class ModelMismatchException extends CheckpointFormatException {
        private static final long serialVersionUID = 1L;

        ModelMismatchException(String source, String problem) {
            super(source, problem);
        }
    }

    /** Reads and validates a committed checkpoint against this model's layout. */
    public Loaded load(Candidate c) throws IOException {
        Path statePath = new Path(c.path(), "state.json");
        JsonNode state;
        try {
            state = JsonLinesLog.JSON.readTree(storage.readAll(statePath));
        } catch (IOException e) {
            throw new CheckpointFormatException(
                    statePath.toString(),
                    "not readable JSON (" + e.getMessage().split("\n")[0]
                            + "); delete this checkpoint directory to resume from the previous one");
        }
        for (String field : List.of("step", "tokens", "optimizer_steps", "optimizer_state")) {
            if (!state.has(field)) {
                throw new CheckpointFormatException(
                        statePath.toString(),
                        "missing field '" + field
                                + "'; delete this checkpoint directory to resume from the previous one");
            }
        }
        float[] weights = new float[layout.totalSize()];
        Path modelPath = new Path(c.path(), "model.safetensors");
        fill(read(modelPath), "", weights, modelPath);
        Map<String, float[]> opt = new LinkedHashMap<>();
        Path optPath = new Path(c.path(), "optimizer.safetensors");
        SafeTensors.Contents optContents = read(optPath);
        for (JsonNode n : state.get("optimizer_state")) {
            float[] v = new float[layout.totalSize()];
            fill(optContents, n.asText() + ".", v, optPath);
            opt.put(n.asText(), v);
        }
        TrainingPoint current =
                new TrainingPoint(weights, opt, state.get("optimizer_steps").asLong());
        RunState.Snapshot snapshot = null;
        if (state.has("snapshot_optimizer_steps")) {
            Path snapPath = new Path(c.path(), "snapshot.safetensors");
            SafeTensors.Contents snap = read(snapPath);
            float[] sw = new float[layout.totalSize()];
            fill(snap, "weights.", sw, snapPath);
            Map<String, float[]> sopt = new LinkedHashMap<>();
            for (String name : opt.keySet()) {
                float[] v = new float[layout.totalSize()];
                fill(snap, name + ".", v, snapPath);
                sopt.put(name, v);
            }
            snapshot = new RunState.Snapshot(
                    new TrainingPoint(
                            sw, sopt, state.get("snapshot_optimizer_steps").asLong()),
                    typed(state, "snapshot_hidlr", HiDlrState.class, statePath));
        }
        RunState run = new RunState(
                state.get("step").asLong(),
                state.get("tokens").asLong(),
                current,
                typed(state, "adalrs", AdaLrsState.class, statePath),
                typed(state, "hidlr", HiDlrState.class, statePath),
                snapshot);
        return new Loaded(c, run, state);
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
                            + e.getMessage().split("\n")[0]
                            + "); delete this checkpoint directory to resume from the previous one");
        }
    }

    /** A loaded checkpoint: where it was, the state and its full state.json. */
    public record Loaded(Candidate candidate, RunState state, JsonNode stateJson) {}

    private SafeTensors.Contents read(Path p) throws IOException {
        if (!storage.exists(p)) {
            throw new CheckpointFormatException(
                    p.toString(), "missing; delete this checkpoint directory to resume from the previous one");
        }
        return SafeTensors.read(new ByteArrayInputStream(storage.readAll(p)), p.toString());
    }

    private void fill(SafeTensors.Contents contents, String prefix, float[] into, Path source)
            throws CheckpointFormatException {
        for (TensorSpec t : layout.tensors()) {
            String name = prefix + t.name();
            NamedTensor nt = contents.get(name)
                    .orElseThrow(
                            () -> new ModelMismatchException(
                                    source.toString(),
                                    "has no tensor '" + name + "': it was written for a different model;"
                                            + " use the same pacer.model.preset as the run that wrote it, or a new run directory"));
            if (!Arrays.equals(nt.shape(), t.shape())) {
                throw new ModelMismatchException(
                        source.toString(),
                        "tensor '" + name + "' has shape "
                                + Arrays.toString(nt.shape()) + " but this model expects " + Arrays.toString(t.shape())
                                + "; use the same pacer.model.preset as the run that wrote it, or a new run directory");
            }
            System.arraycopy(nt.data(), 0, into, t.offset(), t.size());
        }
    }

    private List<NamedTensor> tensors(String prefix, float[] flat) {
        List<NamedTensor> out = new ArrayList<>(layout.tensors().size());
        for (TensorSpec t : layout.tensors()) {
            out.add(new NamedTensor(
                    prefix + t.name(), t.shape(), Arrays.copyOfRange(flat, t.offset(), t.offset() + t.size())));
        }
        return out;
    }

    private static byte[] encode(List<NamedTensor> tensors, Map<String, String> meta) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafeTensors.write(out, tensors, meta);
        return out.toByteArray();
    }
}
