package dev.pacer.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.checkpoint.CheckpointFormatException;
import dev.pacer.model.ParameterLayout;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code checkpoints/step-NNNNNNN/} directories: the weights (GPT-2 names), the optimizer's state
 * per tensor ({@code exp_avg.h.0.attn.c_attn.weight}, ...) and an AdaLRS snapshot when one is in
 * force, in the layouts of {@link CheckpointTensors}; {@code state.json} (counters, controllers,
 * provenance); and the empty {@code COMMITTED} marker written last. A directory without the marker
 * is an interrupted write and is never resumed from. Whoever holds the tensors writes them (the
 * driver, or the shard owners in parallel); this class writes the rest and commits.
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

    public RunStorage storage() {
        return storage;
    }

    public Path directoryFor(long step) {
        return new Path(dir, String.format("step-%07d", step));
    }

    /** Writes a checkpoint's tensor files into a directory; says what it wrote. */
    public interface TensorWriter {
        TensorFiles write(Path directory, long step) throws IOException;
    }

    /**
     * What the tensor files hold: the optimizer's state names and step count, and the snapshot's
     * step count (-1 without a snapshot).
     */
    public record TensorFiles(List<String> optimizerState, long optimizerSteps, long snapshotOptimizerSteps) {}

    /**
     * Writes the checkpoint of {@code s}: the tensors by {@code tensors}, then state.json opened by
     * {@code provenance}, then the marker; returns its directory.
     */
    public Path write(RunState s, ObjectNode provenance, TensorWriter tensors) throws IOException {
        Path target = directoryFor(s.step());
        // a committed checkpoint of the same step (a stop inside a paired AdaLRS trial writes a step
        // the base branch already checkpointed) is replaced only once its successor is committed
        boolean replacing = storage.exists(new Path(target, MARKER));
        Path d = replacing ? sibling(target, "next") : target;
        if (storage.exists(d)) {
            storage.fs().delete(d, true); // an interrupted earlier write of the same step
        }
        storage.fs().mkdirs(d);
        TensorFiles files = tensors.write(d, s.step());
        ObjectNode stateJson = CheckpointStateJson.compose(s, provenance, files);
        storage.writeAll(
                new Path(d, "state.json"),
                JsonLinesLog.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(stateJson));
        storage.writeAll(new Path(d, MARKER), new byte[0]);
        if (replacing) {
            replace(target, d);
        }
        return target;
    }

    /**
     * Puts the committed {@code next} in the place of the committed {@code target}; if the second
     * rename fails, the first is undone, so that a committed checkpoint of the step stays in place.
     */
    private void replace(Path target, Path next) throws IOException {
        FileSystem fs = storage.fs();
        Path old = sibling(target, "old");
        fs.delete(old, true);
        if (!fs.rename(target, old)) {
            throw new IOException("could not move " + target + " aside to replace it with " + next);
        }
        boolean moved = false;
        try {
            moved = fs.rename(next, target);
        } finally {
            if (!moved) {
                fs.rename(old, target);
            }
        }
        if (!moved) {
            throw new IOException("could not move " + next + " into the place of " + target);
        }
        fs.delete(old, true);
    }

    /** A directory next to a checkpoint's that {@link #list} does not see (its name is no step's). */
    private static Path sibling(Path checkpoint, String suffix) {
        return new Path(checkpoint.getParent(), checkpoint.getName() + "." + suffix);
    }

    /**
     * The failure of writing the checkpoint of {@code step}, as one line: which, why, the newest
     * committed checkpoint (which the failed write left as it was) and how to resume from it.
     */
    StorageFailure writeFailed(long step, Throwable e) {
        String safe;
        try {
            safe = newestCommitted(w -> {})
                    .map(c -> "the newest committed checkpoint, step " + c.step() + " (" + c.path()
                            + "), is intact and the run resumes from it")
                    .orElse("no checkpoint was committed before it, so the run starts again from the beginning");
        } catch (IOException | RuntimeException listing) {
            safe = "the checkpoints committed before it are untouched, and the run resumes from the newest";
        }
        return new StorageFailure(
                "checkpoint step " + step + " could not be written to " + directoryFor(step) + " ("
                        + StorageFailure.reason(e) + "); " + safe
                        + " (an incomplete checkpoint is skipped): fix the storage"
                        + " (free space, permissions, the file system's health), then rerun the same command",
                e);
    }

    /**
     * The single-file tensors of a training point (and a snapshot, or null) held in this JVM: what
     * the driver-held update writes.
     */
    public TensorWriter pointWriter(TrainingPoint current, TrainingPoint snapshot) {
        return new PointTensorWriter(storage, layout, current, snapshot);
    }

    /** Deletes committed checkpoints beyond the newest {@code keep}; returns what it deleted. */
    public List<Path> prune(int keep) throws IOException {
        List<Path> deleted = new ArrayList<>();
        List<Candidate> committed = list().stream().filter(Candidate::committed).toList();
        for (int i = keep; i < committed.size(); i++) {
            delete(committed.get(i));
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
     * The newest committed checkpoint, if any. Newer directories without the marker are reported
     * to {@code warn} and skipped.
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
     * The newest committed checkpoint whose files check out ({@link #check}). A damaged one (a
     * file truncated, unreadable or missing) is reported to {@code warn} and skipped, as an
     * interrupted write is, so the run loses only the steps since the previous checkpoint. A
     * checkpoint of another model is an error, since every older one would be too; so is finding
     * only damaged ones, because starting the run over would silently discard it.
     */
    public Optional<Loaded> newestLoadable(Consumer<String> warn) throws IOException {
        CheckpointFormatException newestDamage = null;
        for (Candidate c : list()) {
            if (!c.committed()) {
                warn.accept(uncommitted(c));
                continue;
            }
            try {
                return Optional.of(check(c));
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

    /** A checked checkpoint: where it is, its state and its full state.json. Its tensors stay in the files. */
    public record Loaded(Candidate candidate, RunState state, JsonNode stateJson) {}

    /**
     * Reads state.json and checks every tensor file's header against its size and this model's
     * tensors, without reading tensor data (the driver of a sharded run never holds the weights).
     */
    public Loaded check(Candidate c) throws IOException {
        return new CheckpointReader(storage, layout).check(c);
    }

    /**
     * The training point of a checkpoint read into this JVM (the driver-held update, tools such as
     * evaluate): the weights, and the optimizer state named in its state.json unless
     * {@code weightsOnly}.
     */
    public TrainingPoint readPoint(Path checkpoint, boolean weightsOnly) throws IOException {
        return new CheckpointReader(storage, layout).point(checkpoint, weightsOnly);
    }

    /** The snapshot point of a checkpoint that holds one. */
    public TrainingPoint readSnapshot(Path checkpoint) throws IOException {
        return new CheckpointReader(storage, layout).snapshot(checkpoint);
    }
}
