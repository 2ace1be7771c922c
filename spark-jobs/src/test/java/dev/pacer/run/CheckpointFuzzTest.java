package dev.pacer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.checkpoint.CheckpointFormatException;
import dev.pacer.checkpoint.SafeTensorsMutations;
import dev.pacer.config.ConfigError;
import dev.pacer.data.CorpusException;
import dev.pacer.fuzz.Fuzz;
import dev.pacer.fuzz.Mutator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random and mutated checkpoint files (model.safetensors, optimizer.safetensors, state.json, and
 * the run's config.json) in the newest of two committed checkpoints, read the ways Pacer reads
 * them: {@link CheckpointStore#newestLoadable} (pretrain's resume), which skips a damaged
 * checkpoint with a warning for the older one (a counted skip), and {@link TrainedModel#open}
 * (evaluate, sample, export), which refuses it. Every case is read, skipped or refused with a
 * one-line {@link CheckpointFormatException}, {@link ConfigError} or {@link CorpusException}.
 */
class CheckpointFuzzTest {

    private static final int CASES = 60;

    @TempDir
    Path dir;

    private Path runDir;
    private Path newest;
    private final Configuration conf = new Configuration();

    @BeforeEach
    void twoCheckpoints() throws IOException {
        runDir = dir.resolve("run");
        ModelFixture.write(runDir, 3, ModelFixture.weights(), 32);
        newest = ModelFixture.write(runDir, 6, ModelFixture.weights(), 32);
    }

    /** Resuming (pretrain): a damaged newest checkpoint is skipped with a warning, counted, for the older one. */
    private long resume(Path file, byte[] input) throws IOException {
        Files.write(file, input);
        List<String> warnings = new ArrayList<>();
        new CheckpointStore(new RunStorage(runDir.toString(), conf), ModelFixture.LAYOUT).newestLoadable(warnings::add);
        return warnings.size();
    }

    /** Opening the run's newest checkpoint (evaluate, sample, export): read or refused. */
    private long open(Path file, byte[] input) throws IOException {
        Files.write(file, input);
        TrainedModel.open(runDir.toString(), conf, w -> {});
        return 0;
    }

    private interface Reader {
        long read(Path file, byte[] input) throws IOException;
    }

    private Fuzz.Summary fuzz(String file, String how, Reader reader, long seed, Function<Mutator, byte[]> inputs)
            throws IOException {
        Path target = file.equals("config.json") ? runDir.resolve(file) : newest.resolve(file);
        byte[] original = Files.readAllBytes(target);
        try {
            return Fuzz.run(
                    file + " (" + how + ")",
                    seed,
                    CASES,
                    inputs,
                    in -> reader.read(target, in),
                    CheckpointFormatException.class,
                    ConfigError.class,
                    CorpusException.class);
        } finally {
            Files.write(target, original); // the next run starts from an intact checkpoint
        }
    }

    private static void assertClean(Fuzz.Summary s) {
        assertEquals(List.of(), s.crashes(), s.line());
        assertEquals(s.cases(), s.refused() + s.read(), s.line());
    }

    @Test
    void modelAndOptimizerTensors() throws IOException {
        for (String file : List.of("model.safetensors", "optimizer.safetensors")) {
            Function<Mutator, byte[]> inputs =
                    SafeTensorsMutations.headerAware(List.of(Files.readAllBytes(newest.resolve(file))));
            Fuzz.Summary resumed = fuzz(file, "resume", this::resume, 41, inputs);
            assertClean(resumed);
            assertTrue(resumed.skipped() > CASES / 2, resumed.line());
            Fuzz.Summary opened = fuzz(file, "open", this::open, 42, inputs);
            assertClean(opened);
            assertTrue(opened.refused() > CASES / 2, opened.line());
        }
    }

    @Test
    void stateAndRunConfigJson() throws IOException {
        Function<Mutator, byte[]> state = Fuzz.mix(List.of(Files.readAllBytes(newest.resolve("state.json"))), true);
        assertClean(fuzz("state.json", "resume", this::resume, 43, state));
        assertClean(fuzz("state.json", "open", this::open, 44, state));
        Function<Mutator, byte[]> config = Fuzz.mix(List.of(Files.readAllBytes(runDir.resolve("config.json"))), true);
        assertClean(fuzz("config.json", "open", this::open, 45, config));
    }
}
