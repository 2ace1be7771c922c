package dev.pacer.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.config.ConfigError;
import dev.pacer.model.GptConfig;
import dev.pacer.run.CheckpointStore;
import dev.pacer.run.PacerSettings;
import dev.pacer.run.RunStorage;
import java.io.IOException;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Refuses, before Spark starts, to resume a run on data of another vocabulary: the run's newest
 * committed checkpoint records its preset and parameter count, and with the preset fixed the
 * parameter count differs only through the vocabulary (token embedding rows x width).
 */
final class VocabularyCheck {

    private VocabularyCheck() {}

    /** A checkpoint's directory and its state.json. */
    record CheckpointState(Path checkpoint, JsonNode state) {}

    /**
     * The state.json of the run's newest committed checkpoint, if there is one and it reads; an
     * unreadable checkpoint is reported, with its file, when the run loads it.
     */
    static Optional<CheckpointState> newestState(PacerSettings settings, Configuration conf) {
        try {
            RunStorage storage = new RunStorage(settings.runDir(), conf);
            Optional<CheckpointStore.Candidate> newest = new CheckpointStore(storage, null).newestCommitted(w -> {});
            if (newest.isEmpty()) {
                return Optional.empty();
            }
            Path state = new Path(newest.get().path(), "state.json");
            JsonNode s = new com.fasterxml.jackson.databind.ObjectMapper().readTree(storage.readAll(state));
            return s == null
                    ? Optional.empty()
                    : Optional.of(new CheckpointState(newest.get().path(), s));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static void againstCheckpoint(PacerSettings settings, Configuration conf, int vocab, String data) {
        Optional<CheckpointState> newest = newestState(settings, conf);
        if (newest.isEmpty()) {
            return;
        }
        JsonNode s = newest.get().state();
        if (!s.has("parameter_count")
                || !settings.model().preset().id().equals(s.path("model_preset").asText())) {
            return; // another preset: the checkpoint's shape check explains that
        }
        GptConfig ours = settings.gptConfig(vocab);
        long diff = s.get("parameter_count").asLong() - ours.parameterCount();
        if (diff != 0 && diff % ours.width() == 0) {
            long theirs = vocab + diff / ours.width();
            Path checkpoint = newest.get().checkpoint();
            throw new ConfigError(
                    "vocabulary mismatch: run " + checkpoint.getParent().getParent() + " was trained with"
                            + " a " + theirs + "-token vocabulary (checkpoint " + checkpoint.getName() + ") but " + data
                            + " has " + vocab + "; resume it on the data it was trained on, or start a new --run-dir");
        }
    }
}
