package dev.pacer.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.model.ModelPreset;
import dev.pacer.model.ParameterLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Storage faults below the training loop: a committed checkpoint rewritten for the same step (a
 * stop inside a paired AdaLRS trial) survives a rewrite that fails, whether the files or the final
 * rename fail; and an append to metrics.jsonl or events.jsonl that fails stops with one line.
 */
@ExtendWith(FaultyFileSystem.Registered.class)
class StorageFailureTest {

    @TempDir
    Path dir;

    private final ParameterLayout layout = new ParameterLayout(ModelPreset.TINY.config(257));

    private RunStorage storage() {
        return new RunStorage(FaultyFileSystem.uri(dir), new Configuration());
    }

    private TrainingPoint point(long seed) {
        float[] w = layout.initialWeights(seed);
        Map<String, float[]> opt = new LinkedHashMap<>();
        opt.put("exp_avg", w.clone());
        return new TrainingPoint(w, opt, 10);
    }

    private static void write(CheckpointStore store, TrainingPoint p) throws IOException {
        store.write(new RunState(10, 1000, null, null, null), JsonLinesLog.row(), store.pointWriter(p, null));
    }

    private float[] weightsAt10(CheckpointStore store) throws IOException {
        CheckpointStore.Candidate c = store.newestCommitted(w -> {}).orElseThrow();
        assertEquals(10, c.step());
        store.check(c);
        return store.readPoint(c.path(), true).weights();
    }

    @Test
    void aCommittedCheckpointOfTheSameStepSurvivesAFailedRewrite() throws IOException {
        CheckpointStore store = new CheckpointStore(storage(), layout);
        TrainingPoint first = point(1);
        write(store, first);

        FaultyFileSystem.failWritesAfter("step-0000010", 4096, FaultyFileSystem::diskFull);
        assertThrows(org.apache.hadoop.fs.FSError.class, () -> write(store, point(2)));
        FaultyFileSystem.heal();
        assertArrayEquals(first.weights(), weightsAt10(store), "the files failed: the first write stands");

        FaultyFileSystem.failRenames("step-0000010.next", () -> new IOException("rename refused"));
        assertThrows(IOException.class, () -> write(store, point(3)));
        FaultyFileSystem.heal();
        assertArrayEquals(first.weights(), weightsAt10(store), "the swap failed: the first write stands");

        TrainingPoint fourth = point(4);
        write(store, fourth);
        assertArrayEquals(fourth.weights(), weightsAt10(store));
        try (var names = Files.list(dir.resolve("checkpoints"))) {
            assertEquals(
                    List.of("step-0000010"),
                    names.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aFailedAppendStopsWithOneLineNamingTheFileAndWhatIsSafe() throws IOException {
        RunStorage storage = storage();
        FaultyFileSystem.failWritesAfter("metrics.jsonl", 200, FaultyFileSystem::diskFull);
        JsonLinesLog log = new JsonLinesLog(storage, storage.resolve("metrics.jsonl"), r -> true);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> {
            for (int step = 1; step <= 100; step++) {
                log.append(JsonLinesLog.row().put("step", step).put("loss", 5.5));
            }
        });
        StorageFailure f = assertInstanceOf(StorageFailure.class, e.getCause());
        String m = f.getMessage();
        assertFalse(m.contains("\n"), m);
        assertTrue(
                m.startsWith("cannot append to " + storage.resolve("metrics.jsonl") + " (No space left on device)"), m);
        assertTrue(m.contains("committed checkpoints are untouched") && m.contains("rerun the same command"), m);
        log.close();
        List<String> rows = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertTrue(rows.size() >= 5, "the rows before the fault were written: " + rows.size());
    }

    @Test
    void aRewriteOnOpenThatFailsIsOneLineToo() {
        RunStorage storage = storage();
        FaultyFileSystem.failCreatesFrom("events.jsonl", 1, FaultyFileSystem::permissionDenied);
        StorageFailure e = assertThrows(
                StorageFailure.class, () -> new JsonLinesLog(storage, storage.resolve("events.jsonl"), r -> true));
        assertTrue(
                e.getMessage()
                        .startsWith("cannot rewrite " + storage.resolve("events.jsonl")
                                + " (AccessControlException: Permission denied"),
                e.getMessage());
    }
}
