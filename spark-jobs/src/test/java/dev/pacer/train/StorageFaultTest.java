package dev.pacer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.run.CheckpointStore;
import dev.pacer.run.FaultyFileSystem;
import dev.pacer.run.RunStorage;
import dev.pacer.run.StorageFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A checkpoint write that fails half-way (a full disk, a lost permission, HDFS without data
 * nodes), on both updates: the driver writing the files, and the shard owners writing their
 * parts. The newest committed checkpoint stays intact (with {@code keep = 1}, so that a prune
 * after the failed write would have deleted it), the run stops with one line saying which
 * checkpoint failed, why, and where it resumes, and the next invocation resumes from it and
 * ends bit for bit where an uninterrupted run does.
 */
@ExtendWith(FaultyFileSystem.Registered.class)
class StorageFaultTest {

    private static final String RUN = String.join(
            "\n",
            "pacer.train.max-steps = 12",
            "pacer.train.warmup-fraction = 0",
            "pacer.checkpoint.every = 4",
            "pacer.checkpoint.keep = 1");

    @TempDir
    Path tmp;

    /** A fault: how it is armed, the reason the line must give, and a name for the report. */
    private record Fault(String name, Runnable arm, String reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> faults() {
        String step8 = "/checkpoints/step-0000008";
        Supplier<Fault> diskFull = () -> new Fault(
                "disk full after 2 kB",
                () -> FaultyFileSystem.failWritesAfter(step8, 2048, FaultyFileSystem::diskFull),
                "No space left on device");
        Supplier<Fault> datanodes = () -> new Fault(
                "data nodes gone after 2 kB",
                () -> FaultyFileSystem.failWritesAfter(step8, 2048, FaultyFileSystem::datanodesGone),
                "All datanodes");
        Supplier<Fault> permission = () -> new Fault(
                "permission lost from the 2nd file",
                () -> FaultyFileSystem.failCreatesFrom(step8, 2, FaultyFileSystem::permissionDenied),
                "AccessControlException: Permission denied");
        return Stream.of(LocalRun.Update.DRIVER, LocalRun.Update.SHARDED)
                .flatMap(u -> Stream.of(diskFull, datanodes, permission).map(f -> Arguments.of(u, f.get())));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("faults")
    void aFailedCheckpointLeavesTheNewestCommittedOneAndTheRunResumesFromIt(LocalRun.Update update, Fault fault)
            throws IOException {
        Path local = tmp.resolve("run");
        String run = FaultyFileSystem.uri(local);
        fault.arm().run();
        LocalRun failing = new LocalRun(run, RUN, update);
        StorageFailure e = assertThrows(StorageFailure.class, () -> failing.invoke(0));
        String m = e.getMessage();
        String root = new RunStorage(run, new Configuration()).root().toString();
        assertFalse(m.contains("\n"), m);
        for (String part : List.of(
                "checkpoint step 8 could not be written to " + root + "/checkpoints/step-0000008 (",
                fault.reason(),
                "the newest committed checkpoint, step 4 (" + root + "/checkpoints/step-0000004), is intact",
                "rerun the same command")) {
            assertTrue(m.contains(part), "'" + part + "' not in: " + m);
        }
        assertEquals(List.of(4L), failing.checkpoints);
        CheckpointStore store = new CheckpointStore(new RunStorage(run, new Configuration()), failing.layout);
        List<CheckpointStore.Candidate> left = store.list();
        assertEquals(
                List.of(8L, 4L),
                left.stream().map(CheckpointStore.Candidate::step).toList());
        assertFalse(left.get(0).committed(), "the failed checkpoint has no marker");
        assertEquals(4, store.check(left.get(1)).state().step(), "the committed one checks out");
        assertTrue(Files.exists(local.resolve("checkpoints/step-0000004/COMMITTED")));

        FaultyFileSystem.heal();
        LocalRun resumed = new LocalRun(run, RUN, update);
        resumed.invoke(0);
        assertEquals(5, resumed.records.get(0).step(), "resumed after the committed checkpoint");
        LocalRun straight = new LocalRun(tmp.resolve("straight"), RUN, update);
        straight.invoke(0);
        assertArrayEquals(straight.weightsAt(12), resumed.weightsAt(12));
    }
}
