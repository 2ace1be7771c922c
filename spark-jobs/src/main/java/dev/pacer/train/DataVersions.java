package dev.pacer.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.config.ConfigError;
import dev.pacer.data.shard.DatasetVersion;
import dev.pacer.data.shard.PreparedDataset;
import dev.pacer.run.JsonLinesLog;
import dev.pacer.run.PacerSettings;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which versions of a dataset that grows a run trains on, and the record of it. A checkpoint's
 * state.json carries the dataset and the version its run trained on ({@code data_path},
 * {@code data_version}). A run that resumes on the same version continues exactly as if it had
 * not stopped; one that resumes after new versions appeared (and is not pinned with
 * {@code pacer.data.version}) trains on versions 1..newest from the resumed step on, and the
 * switch is an event: {@code data_version} with the versions and counts before and after.
 */
final class DataVersions {

    private static final Logger LOG = LoggerFactory.getLogger(DataVersions.class);

    private DataVersions() {}

    /** Versions 1..n of {@code dataset} to train on: the pinned version, or the newest. */
    static PreparedDataset choose(PreparedDataset dataset, int pinned) {
        if (pinned > dataset.versionsAvailable()) {
            throw new ConfigError("pacer.data.version = " + pinned + ": dataset " + dataset.root() + " has "
                    + (dataset.versionsAvailable() == 1 ? "one version" : dataset.versionsAvailable() + " versions")
                    + "; give a version from 1 to " + dataset.versionsAvailable() + ", or 0 for the newest");
        }
        return pinned == 0 ? dataset : dataset.atVersion(pinned);
    }

    /**
     * Refuses, before Spark, to resume a run on fewer versions of its dataset than it trained on
     * (the dataset was prepared again, or a version removed) unless a version is pinned.
     */
    static void againstCheckpoint(PacerSettings settings, Configuration conf, PreparedDataset dataset) {
        Optional<VocabularyCheck.CheckpointState> newest = VocabularyCheck.newestState(settings, conf);
        if (newest.isEmpty()
                || settings.data().version() != 0
                || !sameDataset(newest.get().state(), dataset)) {
            return;
        }
        int trained = newest.get().state().path("data_version").asInt(1);
        if (trained > dataset.versionsAvailable()) {
            throw new ConfigError("run " + settings.runDir() + " trained on version " + trained + " of dataset "
                    + dataset.root() + " (checkpoint "
                    + newest.get().checkpoint().getName() + ")" + ", which now has only " + dataset.versionsAvailable()
                    + "; it was prepared"
                    + " again or a version was removed: restore it, pin pacer.data.version, or start a new --run-dir");
        }
    }

    private static boolean sameDataset(JsonNode state, PreparedDataset dataset) {
        return state.path("data_path").asText("").equals(dataset.root());
    }

    /** {@code row} (a checkpoint's state.json extras) with the dataset and version trained on. */
    static ObjectNode record(ObjectNode row, PreparedDataset dataset) {
        if (dataset != null) {
            row.put("data_path", dataset.root()).put("data_version", dataset.version());
        }
        return row;
    }

    /** The state.json of the checkpoint directory {@code checkpoint}. */
    static JsonNode stateOf(String checkpoint, Configuration conf) throws IOException {
        Path p = new Path(checkpoint, "state.json");
        try (InputStream in = p.getFileSystem(conf).open(p)) {
            return new ObjectMapper().readTree(in);
        }
    }

    /**
     * When the run resumes from a checkpoint ({@code resumed}: its state.json) that trained on
     * another version of the same dataset, appends the {@code data_version} event.
     */
    static void logChange(JsonNode resumed, long step, PreparedDataset dataset, JsonLinesLog events) {
        if (resumed == null || !sameDataset(resumed, dataset)) {
            return;
        }
        int from = resumed.path("data_version").asInt(1);
        int to = dataset.version();
        if (from == to) {
            return;
        }
        long[] before = totals(dataset, from);
        long[] after = totals(dataset, to);
        LOG.info(
                "dataset {} has version {} now: training on versions 1 to {} from step {} on ({} documents, {}"
                        + " training sequences; they were {} and {})",
                dataset.root(),
                to,
                to,
                step,
                after[0],
                after[1],
                before[0],
                before[1]);
        events.append(JsonLinesLog.row()
                .put("event", "data_version")
                .put("step", step)
                .put("path", dataset.root())
                .put("from_version", from)
                .put("to_version", to)
                .put("from_documents", before[0])
                .put("to_documents", after[0])
                .put("from_train_sequences", before[1])
                .put("to_train_sequences", after[1])
                .put("from_tokens", before[2])
                .put("to_tokens", after[2]));
    }

    /** Documents, training sequences and tokens of versions 1..{@code version}. */
    private static long[] totals(PreparedDataset dataset, int version) {
        long[] t = new long[3];
        for (int v = 1; v <= Math.min(version, dataset.versionsAvailable()); v++) {
            DatasetVersion e = dataset.versionInfo(v);
            t[0] += e.documents();
            t[1] += e.trainSequences();
            t[2] += e.tokens();
        }
        return t;
    }
}
