package dev.pacer.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.checkpoint.CheckpointFormatException;
import dev.pacer.model.ModelPreset;
import dev.pacer.model.ParameterLayout;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {

    @TempDir
    Path dir;

    private final ParameterLayout layout = new ParameterLayout(ModelPreset.TINY.config(257));

    /** A checkpoint's contents: the counters and the point the driver would hold. */
    private record Fixture(RunState run, TrainingPoint point) {}

    private Fixture state(long step, long seed) {
        float[] w = layout.initialWeights(seed);
        Map<String, float[]> opt = new LinkedHashMap<>();
        float[] m = new float[w.length];
        float[] v = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            m[i] = w[i] * 0.5f;
            v[i] = w[i] * w[i];
        }
        opt.put("exp_avg", m);
        opt.put("exp_avg_sq", v);
        return new Fixture(new RunState(step, step * 100, null, null, null), new TrainingPoint(w, opt, step));
    }

    private static void write(CheckpointStore store, Fixture f, com.fasterxml.jackson.databind.node.ObjectNode extra)
            throws IOException {
        store.write(f.run(), extra, store.pointWriter(f.point(), null));
    }

    private CheckpointStore store() {
        return new CheckpointStore(new RunStorage(dir.toString(), new Configuration()), layout);
    }

    @Test
    void roundTripIsBitExact() throws IOException {
        CheckpointStore store = store();
        Fixture s = state(7, 1);
        write(store, s, JsonLinesLog.row().put("config_digest", "abc"));
        CheckpointStore.Loaded back = store.check(store.newestCommitted(w -> {}).orElseThrow());
        TrainingPoint point = store.readPoint(back.candidate().path(), false);
        assertEquals(7, back.state().step());
        assertEquals(700, back.state().tokens());
        assertEquals(7, point.optimizerSteps());
        assertArrayEquals(s.point().weights(), point.weights());
        assertArrayEquals(
                s.point().optimizerState().get("exp_avg"),
                point.optimizerState().get("exp_avg"));
        assertArrayEquals(
                s.point().optimizerState().get("exp_avg_sq"),
                point.optimizerState().get("exp_avg_sq"));
        assertEquals("abc", back.stateJson().get("config_digest").asText());
        assertTrue(Files.exists(dir.resolve("checkpoints/step-0000007/COMMITTED")));
    }

    @Test
    void directoryWithoutMarkerIsSkippedWithAWarning() throws IOException {
        CheckpointStore store = store();
        write(store, state(10, 1), JsonLinesLog.row());
        write(store, state(20, 2), JsonLinesLog.row());
        Files.delete(dir.resolve("checkpoints/step-0000020/COMMITTED"));
        List<String> warnings = new ArrayList<>();
        CheckpointStore.Candidate c = store.newestCommitted(warnings::add).orElseThrow();
        assertEquals(10, c.step());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("step-0000020") && warnings.get(0).contains("COMMITTED"), warnings.get(0));
    }

    @Test
    void truncatedSafetensorsIsAnErrorNamingTheFile() throws IOException {
        CheckpointStore store = store();
        write(store, state(5, 1), JsonLinesLog.row());
        Path model = dir.resolve("checkpoints/step-0000005/model.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(model.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        CheckpointStore.Candidate c = store.newestCommitted(w -> {}).orElseThrow();
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> store.check(c));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    private void truncate(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(f.length() - 100);
        }
    }

    @Test
    void aDamagedNewestCheckpointIsSkippedWithAWarningNamingTheFile() throws IOException {
        CheckpointStore store = store();
        write(store, state(10, 1), JsonLinesLog.row());
        write(store, state(20, 2), JsonLinesLog.row());
        write(store, state(30, 3), JsonLinesLog.row());
        truncate(dir.resolve("checkpoints/step-0000030/model.safetensors"));
        Files.delete(dir.resolve("checkpoints/step-0000020/COMMITTED"));
        List<String> warnings = new ArrayList<>();
        CheckpointStore.Loaded back = store.newestLoadable(warnings::add).orElseThrow();
        assertEquals(10, back.state().step());
        assertEquals(10, back.candidate().step());
        assertArrayEquals(
                state(10, 1).point().weights(),
                store.readPoint(back.candidate().path(), true).weights());
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(
                warnings.get(0).contains("step-0000030/model.safetensors")
                        && warnings.get(0).contains("damaged"),
                warnings.get(0));
        assertTrue(warnings.get(1).contains("step-0000020") && warnings.get(1).contains("COMMITTED"), warnings.get(1));
    }

    @Test
    void onlyDamagedCheckpointsAreAnErrorRatherThanAFreshStart() throws IOException {
        CheckpointStore store = store();
        write(store, state(5, 1), JsonLinesLog.row());
        truncate(dir.resolve("checkpoints/step-0000005/optimizer.safetensors"));
        CheckpointFormatException e =
                assertThrows(CheckpointFormatException.class, () -> store.newestLoadable(w -> {}));
        assertTrue(e.getMessage().contains("step-0000005/optimizer.safetensors"), e.getMessage());
    }

    @Test
    void aCheckpointOfAnotherModelIsNotSkipped() throws IOException {
        CheckpointStore store = store();
        write(store, state(5, 1), JsonLinesLog.row());
        write(store, state(6, 2), JsonLinesLog.row());
        CheckpointStore other = new CheckpointStore(
                new RunStorage(dir.toString(), new Configuration()),
                new ParameterLayout(new dev.pacer.model.GptConfig(257, 64, 32, 2, 4, 1e-5)));
        List<String> warnings = new ArrayList<>();
        assertThrows(CheckpointStore.ModelMismatchException.class, () -> other.newestLoadable(warnings::add));
        assertEquals(List.of(), warnings);
    }

    @Test
    void noCheckpointIsAFreshStart() throws IOException {
        assertTrue(store().newestLoadable(w -> {}).isEmpty());
    }

    @Test
    void checkpointOfAnotherModelIsRefused() throws IOException {
        CheckpointStore store = store();
        write(store, state(5, 1), JsonLinesLog.row());
        CheckpointStore other = new CheckpointStore(
                new RunStorage(dir.toString(), new Configuration()),
                new ParameterLayout(new dev.pacer.model.GptConfig(257, 64, 32, 2, 4, 1e-5)));
        CheckpointFormatException e = assertThrows(
                CheckpointFormatException.class,
                () -> other.check(other.newestCommitted(w -> {}).orElseThrow()));
        assertTrue(e.getMessage().contains("pacer.model.preset"), e.getMessage());
    }

    @Test
    void headerMetadataHasAFixedOrderSoEqualWeightsGiveEqualFiles() throws IOException {
        write(store(), state(3, 1), JsonLinesLog.row());
        String head = new String(
                Files.readAllBytes(dir.resolve("checkpoints/step-0000003/model.safetensors")),
                0,
                4096,
                java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(head.contains("\"__metadata__\":{\"format\":\"pacer-checkpoint-1\",\"step\":\"3\"}"), head);
    }

    @Test
    void pruneKeepsTheNewestCommitted() throws IOException {
        CheckpointStore store = store();
        for (long s = 1; s <= 4; s++) {
            write(store, state(s, s), JsonLinesLog.row());
        }
        assertEquals(2, store.prune(2).size());
        List<Long> left =
                store.list().stream().map(CheckpointStore.Candidate::step).toList();
        assertEquals(List.of(4L, 3L), left);
    }
}
