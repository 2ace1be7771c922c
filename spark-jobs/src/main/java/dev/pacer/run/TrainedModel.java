package dev.pacer.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.checkpoint.CheckpointFormatException;
import dev.pacer.config.ConfigError;
import dev.pacer.data.tokenize.TokenizerSpec;
import dev.pacer.model.GptConfig;
import dev.pacer.model.ModelPreset;
import dev.pacer.model.ParameterLayout;
import java.io.IOException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * A model read back from a committed checkpoint, for evaluate, sample and export (one JVM, no
 * Spark). The location is a checkpoint directory ({@code RUN_DIR/checkpoints/step-NNNNNNN}) or a
 * run directory, whose newest committed checkpoint is taken. The model shape comes from the
 * checkpoint's {@code state.json} ({@code model_preset}), the tokenizer from its record there and
 * the run's copy ({@link RunTokenizer}), the training sequence length from the run's
 * {@code config.json}, when the checkpoint sits in a run directory.
 *
 * @param runConfig the run's resolved settings (the {@code pacer} tree), or null when not found
 */
public record TrainedModel(
        ParameterLayout layout,
        float[] weights,
        TokenizerSpec tokenizer,
        ModelPreset preset,
        long step,
        long tokens,
        String checkpoint,
        JsonNode stateJson,
        JsonNode runConfig) {

    private static final Pattern STEP_DIR = Pattern.compile("step-(\\d+)");
    private static final String DAMAGED = "; this checkpoint is damaged: use another one";
    private static final String FORMS = "give a checkpoint directory (RUN_DIR/checkpoints/step-NNNNNNN) or a run"
            + " directory (its newest committed checkpoint is used)";

    /**
     * Finds, validates and reads the checkpoint at {@code location}.
     *
     * @param warn receives notices about skipped uncommitted checkpoints and unreadable run settings
     * @throws ConfigError when the location is not a committed checkpoint or a run directory with one
     * @throws CheckpointFormatException when a checkpoint file is damaged or of another model shape
     */
    public static TrainedModel open(String location, Configuration hadoop, Consumer<String> warn) throws IOException {
        return open(location, hadoop, warn, "--checkpoint");
    }

    /** As {@link #open(String, Configuration, Consumer)}; errors name the input as {@code input}. */
    public static TrainedModel open(String location, Configuration hadoop, Consumer<String> warn, String input)
            throws IOException {
        return open(location, hadoop, warn, input, true);
    }

    /**
     * As {@link #open(String, Configuration, Consumer, String)}; with {@code readWeights} false the
     * checkpoint is found and checked but its weights are not read ({@link #weights()} is null): a
     * sharded run's owners read their own tensors.
     */
    public static TrainedModel open(
            String location, Configuration hadoop, Consumer<String> warn, String input, boolean readWeights)
            throws IOException {
        RunStorage storage = new RunStorage(location, hadoop);
        Path root = storage.root();
        if (!storage.exists(root)) {
            throw new ConfigError(input + " " + location + ": no such directory; " + FORMS);
        }
        if (!storage.fs().getFileStatus(root).isDirectory()) {
            throw new ConfigError(input + " " + location + " is a file; " + FORMS);
        }
        Path dir;
        if (isCheckpointDirectory(storage, root)) {
            dir = root;
            if (!storage.exists(new Path(dir, CheckpointStore.MARKER))) {
                throw new ConfigError(input + " " + location + ": this checkpoint has no "
                        + CheckpointStore.MARKER + " marker, so its write was interrupted (or is still going on)"
                        + " and its files cannot be trusted; pass an older checkpoint, or the run directory to"
                        + " use its newest committed one");
            }
        } else if (storage.exists(new Path(root, "checkpoints"))) {
            // listing checkpoints needs no model layout; the shape comes from the one found
            dir = new CheckpointStore(storage, null)
                    .newestCommitted(warn)
                    .orElseThrow(() -> new ConfigError(input + " " + location + ": the run directory holds no"
                            + " committed checkpoint under checkpoints/; let the run write one (pacer.checkpoint"
                            + ".every, or the end of the run) or " + FORMS))
                    .path();
        } else {
            throw new ConfigError(input + " " + location + ": neither a checkpoint nor a run directory (no "
                    + "state.json, no checkpoints/); " + FORMS);
        }

        JsonNode runConfig = readRunConfig(storage, dir, warn);
        JsonNode state = stateOf(storage, dir);
        ModelPreset preset = presetOf(state, dir);
        TokenizerSpec tokenizer = RunTokenizer.ofCheckpoint(storage, dir, state, runConfig, warn);
        checkVocabulary(tokenizer, preset, state, dir);
        ParameterLayout layout = new ParameterLayout(preset.config(tokenizer.vocabSize()));
        Matcher m = STEP_DIR.matcher(dir.getName());
        CheckpointStore store = new CheckpointStore(storage, layout);
        CheckpointStore.Loaded loaded =
                store.check(new CheckpointStore.Candidate(m.matches() ? Long.parseLong(m.group(1)) : 0, dir, true));
        return new TrainedModel(
                layout,
                readWeights ? store.readPoint(dir, true).weights() : null,
                tokenizer,
                preset,
                loaded.state().step(),
                loaded.state().tokens(),
                dir.toString(),
                loaded.stateJson(),
                runConfig);
    }

    /** Tokens per sequence the model trained on (pacer.train.seq-len), else its full context. */
    public int trainedSeqLen() {
        int context = layout.config().context();
        int seqLen =
                runConfig == null ? 0 : runConfig.path("train").path("seq-len").asInt(0);
        return seqLen >= 2 && seqLen <= context ? seqLen : context;
    }

    /** One line naming the checkpoint, for command output. */
    public String describe() {
        return String.format(
                "%s (%s model, %,d parameters, step %d, %,d tokens seen)",
                checkpoint, preset.id(), layout.totalSize(), step, tokens);
    }

    private static boolean isCheckpointDirectory(RunStorage storage, Path dir) throws IOException {
        return STEP_DIR.matcher(dir.getName()).matches()
                || storage.exists(new Path(dir, "state.json"))
                || storage.exists(new Path(dir, "model.safetensors"));
    }

    private static JsonNode stateOf(RunStorage storage, Path dir) throws IOException {
        Path statePath = new Path(dir, "state.json");
        if (!storage.exists(statePath)) {
            throw new CheckpointFormatException(statePath.toString(), "missing" + DAMAGED);
        }
        try {
            JsonNode state = JsonLinesLog.JSON.readTree(storage.readAll(statePath));
            if (state == null || !state.isObject()) {
                throw new CheckpointFormatException(statePath.toString(), "is not a JSON object" + DAMAGED);
            }
            return state;
        } catch (IOException e) {
            throw new CheckpointFormatException(
                    statePath.toString(), "not readable JSON (" + e.getMessage().split("\n")[0] + ")" + DAMAGED);
        }
    }

    private static ModelPreset presetOf(JsonNode state, Path dir) throws CheckpointFormatException {
        String where = new Path(dir, "state.json").toString();
        String id = state.path("model_preset").asText("");
        if (id.isEmpty()) {
            throw new CheckpointFormatException(where, "has no model_preset field" + DAMAGED);
        }
        try {
            return ModelPreset.fromId(id);
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(where, e.getMessage() + " (written by a newer Pacer?)");
        }
    }

    /**
     * The tokenizer's ids must be the checkpoint's embedding rows. The rows follow from the
     * recorded parameter count: with the preset fixed it differs only by vocabulary x width.
     */
    private static void checkVocabulary(TokenizerSpec tokenizer, ModelPreset preset, JsonNode state, Path dir) {
        if (!state.path("parameter_count").canConvertToLong()) {
            return; // the tensor shapes are checked when the weights load
        }
        GptConfig one = preset.config(1);
        long rows = 1 + (state.get("parameter_count").asLong() - one.parameterCount()) / one.width();
        if (rows != tokenizer.vocabSize()) {
            throw new ConfigError("tokenizer " + tokenizer.info().describe() + " has " + tokenizer.vocabSize()
                    + " ids but checkpoint " + dir + " has an embedding of " + rows + " rows (wte.weight);"
                    + " use the tokenizer the run was trained with");
        }
    }

    /** {@code RUN_DIR/config.json} for {@code RUN_DIR/checkpoints/step-N}, if it is there. */
    private static JsonNode readRunConfig(RunStorage storage, Path checkpointDir, Consumer<String> warn)
            throws IOException {
        Path runDir = RunTokenizer.runDirectoryOf(checkpointDir);
        String assuming = ": assuming training sequences of the full context";
        if (runDir == null) {
            warn.accept("checkpoint " + checkpointDir + " is not inside a run directory" + assuming);
            return null;
        }
        Path config = new Path(runDir, "config.json");
        if (!storage.exists(config)) {
            warn.accept("no " + config + assuming);
            return null;
        }
        try {
            return JsonLinesLog.JSON.readTree(storage.readAll(config));
        } catch (IOException e) {
            warn.accept(config + " is not readable JSON (" + e.getMessage().split("\n")[0] + ")" + assuming);
            return null;
        }
    }
}
