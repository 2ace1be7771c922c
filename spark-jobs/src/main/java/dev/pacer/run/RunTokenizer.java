package dev.pacer.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.config.ConfigError;
import dev.pacer.data.CorpusException;
import dev.pacer.data.shard.PreparedDataset;
import dev.pacer.data.tokenize.TokenizerInfo;
import dev.pacer.data.tokenize.TokenizerSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The tokenizer travels with its run. {@code pretrain} copies a tokenizer.json into the run
 * directory ({@value #FILE}) and records it in every checkpoint's {@code state.json} (field
 * {@value #STATE_FIELD}: type, model, source, SHA-256, vocabulary size, end-of-document id and
 * token), so a checkpoint names the exact tokenizer it was trained with even when the original
 * file is gone; evaluate, sample and export read it back from that copy (or from one put next to
 * the checkpoint) and check it against the record.
 */
public final class RunTokenizer {

    /** The copy in the run directory (absent for the byte tokenizer). */
    public static final String FILE = "tokenizer.json";
    /** The record in a checkpoint's state.json. */
    public static final String STATE_FIELD = "tokenizer";

    private RunTokenizer() {}

    /** Writes the run's copy of {@code spec} (nothing for the byte tokenizer), replacing another one. */
    public static void save(RunStorage storage, TokenizerSpec spec) throws IOException {
        if (spec.isByte()) {
            return;
        }
        Path copy = storage.resolve(FILE);
        if (storage.exists(copy) && TokenizerSpec.sha256(storage.readAll(copy)).equals(spec.sha256())) {
            return;
        }
        Path partial = storage.resolve(FILE + ".partial");
        storage.writeAll(partial, spec.jsonBytes());
        storage.fs().delete(copy, false);
        storage.fs().rename(partial, copy);
    }

    /** What a checkpoint's state.json records about {@code spec}. */
    public static ObjectNode record(TokenizerSpec spec) {
        return spec.info().writeTo(JsonLinesLog.row());
    }

    /** The tokenizer a checkpoint's state.json records, if it records one (runs since this field exists). */
    public static Optional<TokenizerInfo> recorded(JsonNode stateJson, String where) {
        JsonNode block = stateJson == null ? null : stateJson.get(STATE_FIELD);
        if (block == null || !block.isObject()) {
            return Optional.empty();
        }
        return Optional.of(TokenizerInfo.read(field -> {
            JsonNode v = block.get(field);
            if (v == null || v.isNull()) {
                throw new ConfigError(where + ": the tokenizer record has no field '" + field
                        + "'; the checkpoint is damaged, use another one");
            }
            return v;
        }));
    }

    /**
     * The tokenizer checkpoint {@code dir} was trained with: its record and the copy next to the
     * checkpoint or in its run directory, or for checkpoints written before the record existed,
     * the tokenizer the run's settings name.
     *
     * @param runConfig the run's config.json (the {@code pacer} tree), or null
     * @throws ConfigError when the copy is missing or is not the recorded tokenizer
     */
    public static TokenizerSpec ofCheckpoint(
            RunStorage storage, Path dir, JsonNode stateJson, JsonNode runConfig, Consumer<String> warn)
            throws IOException {
        String where = new Path(dir, "state.json").toString();
        Optional<TokenizerInfo> record = recorded(stateJson, where);
        if (record.isEmpty()) {
            return fromSettings(runConfig, storage.fs().getConf(), warn);
        }
        TokenizerInfo info = record.get();
        if (info.isByte()) {
            return TokenizerSpec.byteLevel();
        }
        List<Path> places = new ArrayList<>(List.of(new Path(dir, FILE)));
        Path runDir = runDirectoryOf(dir);
        if (runDir != null) {
            places.add(new Path(runDir, FILE));
        }
        for (Path copy : places) {
            if (storage.exists(copy)) {
                try {
                    return TokenizerSpec.fromCopy(copy.toString(), storage.readAll(copy), info);
                } catch (CorpusException e) {
                    throw new ConfigError(e.getMessage());
                }
            }
        }
        throw new ConfigError("checkpoint " + dir + " was trained with " + info.describe() + ", but "
                + String.join(" and ", places.stream().map(Path::toString).toList())
                + " do not exist; copy that tokenizer.json (SHA-256 " + info.sha256() + ") there");
    }

    /**
     * Refuses, before Spark starts, to resume a run with a tokenizer other than the one its newest
     * committed checkpoint records (another file, even of the same vocabulary size, would give the
     * trained embedding rows other meanings).
     *
     * @param data the training data, named in the message
     */
    public static void checkResume(RunStorage run, TokenizerSpec current, String data) {
        newestRecord(run).ifPresent(r -> {
            TokenizerInfo was = r.info();
            if (!was.type().equals(current.info().type()) || !was.sha256().equals(current.sha256())) {
                throw new ConfigError("tokenizer changed: run " + run.root() + " was trained with " + was.describe()
                        + " (checkpoint " + r.checkpoint().getName() + ") but " + data + " uses "
                        + current.info().describe() + "; resume with the tokenizer it was trained with"
                        + (was.isByte() ? "" : " (a copy is " + run.resolve(FILE) + ")")
                        + ", or start a new --run-dir");
            }
        });
    }

    /**
     * {@code e}, an error about the configured data or tokenizer, with what the run being resumed
     * was trained with added, so that a missing tokenizer file names the run's copy of it.
     */
    public static ConfigError withRecord(RunStorage run, ConfigError e) {
        return newestRecord(run)
                .filter(r -> !r.info().isByte())
                .map(r -> new ConfigError(e.getMessage() + "; run " + run.root() + " (checkpoint "
                        + r.checkpoint().getName() + ") was trained with "
                        + r.info().describe() + ", a copy of which is "
                        + run.resolve(FILE)))
                .orElse(e);
    }

    /** A checkpoint's tokenizer record. */
    private record Record(Path checkpoint, TokenizerInfo info) {}

    /** The record of the run's newest committed checkpoint; empty without one (or an unreadable one). */
    private static Optional<Record> newestRecord(RunStorage run) {
        try {
            Optional<CheckpointStore.Candidate> newest = new CheckpointStore(run, null).newestCommitted(w -> {});
            if (newest.isEmpty()) {
                return Optional.empty();
            }
            Path state = new Path(newest.get().path(), "state.json");
            return recorded(JsonLinesLog.JSON.readTree(run.readAll(state)), state.toString())
                    .map(info -> new Record(newest.get().path(), info));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // a damaged checkpoint is reported, with its file, when the run loads it
        }
    }

    /** {@code RUN_DIR} for {@code RUN_DIR/checkpoints/step-N}, else null. */
    public static Path runDirectoryOf(Path checkpointDir) {
        Path parent = checkpointDir.getParent();
        return parent == null || !parent.getName().equals("checkpoints") ? null : parent.getParent();
    }

    /** Runs before the record: the tokenizer named by the run's settings (a prepared dataset's, or pacer.data.tokenizer). */
    private static TokenizerSpec fromSettings(JsonNode runConfig, Configuration conf, Consumer<String> warn) {
        if (runConfig == null) {
            warn.accept("the checkpoint records no tokenizer and the run's settings are not there: assuming the"
                    + " byte tokenizer");
            return TokenizerSpec.byteLevel();
        }
        JsonNode data = runConfig.path("data");
        String dataset = data.path("path").asText("");
        String setting = data.path("tokenizer").asText(TokenizerSpec.BYTE);
        try {
            if (!dataset.isBlank()) {
                return PreparedDataset.open(dataset, conf).tokenizer(conf);
            }
            if (!setting.equals(TokenizerSpec.BYTE)) {
                warn.accept("the checkpoint records no tokenizer (written before Pacer kept one with the run): using "
                        + setting + " as the run's settings name it");
            }
            return TokenizerSpec.resolve(setting, data.path("end-of-document").asText(""), conf);
        } catch (CorpusException e) {
            throw new ConfigError(e.getMessage());
        }
    }
}
