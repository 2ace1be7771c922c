package dev.pacer.run;

import java.io.Serializable;

/**
 * Where a run's model comes from when it starts: fresh weights from the seed, a checkpoint of this
 * run (weights, optimizer state and the snapshot in force), a checkpoint of another run (its
 * weights only: continued pretraining), or points already in memory (tests). Whoever holds the
 * weights reads it: the driver, or each shard owner its own tensors.
 */
public sealed interface ModelSource extends Serializable {

    /** The initialisation of {@code seed}. */
    record Fresh(long seed) implements ModelSource {}

    /**
     * A checkpoint directory (any Hadoop file system); {@code weightsOnly}: only its weights, with
     * a fresh optimizer ({@code pacer.run.init-from}); otherwise everything, the snapshot included
     * when {@code snapshot}.
     */
    record Checkpoint(String directory, boolean weightsOnly, boolean snapshot) implements ModelSource {}

    /** Points already in this JVM (tests); {@code snapshot} may be null. */
    record InMemory(TrainingPoint current, TrainingPoint snapshot) implements ModelSource {}
}
