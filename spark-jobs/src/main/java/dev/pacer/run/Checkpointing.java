package dev.pacer.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * When a run writes checkpoints, what goes in them, how many stay, and where a run resumes:
 * every {@code every} completed steps and at the last step of an invocation, never twice for the
 * same step (a paired AdaLRS replay repeats step numbers; checkpoints only move forward), the
 * newest {@code keep} committed ones kept, and a resume from the newest one that loads.
 */
public final class Checkpointing {

    private final CheckpointStore store;
    private final long every;
    private final int keep;
    private final ObjectNode provenance;
    private long newest;
    private RunLease lease;

    /** @param provenance what opens every state.json (config digest, seed, preset, parameters) */
    public Checkpointing(CheckpointStore store, long every, int keep, ObjectNode provenance) {
        this.store = store;
        this.every = every;
        this.keep = keep;
        this.provenance = provenance;
    }

    /** Checks before every write that this invocation still holds {@code lease} (null: no check). */
    public Checkpointing fencedBy(RunLease lease) {
        this.lease = lease;
        return this;
    }

    public CheckpointStore store() {
        return store;
    }

    /** A written checkpoint and the older ones pruned to make room. */
    public record Written(String path, List<String> pruned) {}

    /** The newest committed checkpoint that loads, skipping interrupted or damaged ones (reported to {@code warn}). */
    public Optional<CheckpointStore.Loaded> resume(Consumer<String> warn) throws IOException {
        return store.newestLoadable(warn);
    }

    /** A run (re)starts after {@code step} completed steps: no checkpoint for those again. */
    public void startAt(long step) {
        newest = step;
    }

    /**
     * Whether to write after completed step {@code done} when the run continues from {@code live}
     * completed steps (they differ when AdaLRS moved the counter) and {@code last} says the
     * invocation stops here.
     */
    public boolean due(long done, long live, boolean last) {
        return last || (done % every == 0 && live == done && done > newest);
    }

    /**
     * Writes {@code state}, then deletes checkpoints of later steps (a stop inside a paired
     * AdaLRS trial writes step numbers the base branch already passed: the base branch's later
     * checkpoints are superseded, and the newest step must be the point the run continues from)
     * and prunes beyond the newest {@code keep}. Nothing is deleted before the new checkpoint is
     * committed; a failing file system stops the run with a {@link StorageFailure} saying which
     * checkpoint failed, why, and which one the run resumes from.
     */
    public Written write(RunState state, CheckpointStore.TensorWriter tensors) throws IOException {
        if (lease != null) {
            lease.checkHeld();
        }
        newest = Math.max(newest, state.step());
        String where;
        try {
            where = store.write(state, provenance, tensors).toString();
        } catch (Exception | org.apache.hadoop.fs.FSError e) { // Spark's job failures are checked exceptions
            if (!StorageFailure.isStorage(e)) {
                throw e; // not the file system's doing (e.g. executors that lost a sharded run's state)
            }
            throw store.writeFailed(state.step(), e);
        }
        List<String> gone = new ArrayList<>();
        try {
            for (CheckpointStore.Candidate c : store.list()) {
                if (c.step() > state.step()) {
                    store.delete(c);
                    gone.add(c.path().toString());
                }
            }
            store.prune(keep).forEach(p -> gone.add(p.toString()));
        } catch (IOException | RuntimeException e) {
            throw new StorageFailure(
                    "checkpoint " + where + " was committed, but deleting older ones failed ("
                            + StorageFailure.reason(e)
                            + "); nothing committed is lost: fix the storage (permissions, the"
                            + " file system's health), then rerun the same command to resume from step " + state.step(),
                    e);
        }
        return new Written(where, gone);
    }
}
