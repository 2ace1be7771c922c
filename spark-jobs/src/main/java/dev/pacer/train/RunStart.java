package dev.pacer.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.config.ConfigError;
import dev.pacer.model.ParameterLayout;
import dev.pacer.run.CheckpointStore;
import dev.pacer.run.Checkpointing;
import dev.pacer.run.JsonLinesLog;
import dev.pacer.run.ModelSource;
import dev.pacer.run.PacerSettings;
import dev.pacer.run.RunState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a run starts: the newest loadable checkpoint of its run directory; else the weights of
 * {@code pacer.run.init-from}; else fresh weights from the seed. With the warnings met on the way
 * and the checkpoint's path (null for a new run).
 */
record RunStart(RunState state, ModelSource model, String resumedFrom, List<String> warnings) {

    private static final Logger LOG = LoggerFactory.getLogger(RunStart.class);

    static RunStart of(
            PacerSettings settings, Checkpointing checkpointing, Configuration hadoop, ParameterLayout layout)
            throws IOException {
        List<String> warnings = new ArrayList<>();
        Optional<CheckpointStore.Loaded> newest = checkpointing.resume(w -> {
            LOG.warn(w);
            warnings.add(w);
        });
        if (newest.isPresent()) {
            CheckpointStore.Loaded loaded = newest.get();
            String resumedFrom = loaded.candidate().path().toString();
            String digest = loaded.stateJson().path("config_digest").asText("");
            if (!digest.equals(settings.digest())) {
                String w = "settings differ from those of checkpoint " + resumedFrom
                        + " (config digest changed); continuing with the new settings";
                LOG.warn(w);
                warnings.add(w);
            }
            return new RunStart(
                    loaded.state(),
                    new ModelSource.Checkpoint(
                            resumedFrom, false, loaded.state().snapshot() != null),
                    resumedFrom,
                    warnings);
        }
        ModelSource model = settings.initFrom().isEmpty()
                ? new ModelSource.Fresh(settings.seed())
                : new ModelSource.Checkpoint(initFrom(settings.initFrom(), hadoop, layout, warnings), true, false);
        return new RunStart(RunState.fresh(), model, null, warnings);
    }

    /** The checkpoint the run starts from, or that it starts afresh. */
    String describe() {
        return resumedFrom == null ? "the start (no checkpoint yet)" : resumedFrom;
    }

    /** The events.jsonl row of the start (or resume). */
    ObjectNode event(PacerSettings settings, long stopAt, int threads, long droppedRows) {
        ObjectNode row = JsonLinesLog.row()
                .put("event", resumedFrom == null ? "start" : "resume")
                .put("step", state.step())
                .put("stop_at", stopAt)
                .put("config_digest", settings.digest())
                .put("threads_per_task", threads)
                .put("partitions", settings.partitions())
                .put("time", java.time.Instant.now().toString());
        if (resumedFrom != null) {
            row.put("checkpoint", resumedFrom).put("metric_rows_dropped", droppedRows);
        }
        warnings.forEach(w -> row.withArray("warnings").add(w));
        return row;
    }

    /**
     * Continued pretraining: the weights of the checkpoint at {@code location}, which must hold
     * this run's model (same preset and vocabulary).
     */
    private static String initFrom(String location, Configuration hadoop, ParameterLayout layout, List<String> warnings)
            throws IOException {
        String input = "pacer.run.init-from";
        dev.pacer.run.TrainedModel model = dev.pacer.run.TrainedModel.open(
                location,
                hadoop,
                w -> {
                    LOG.warn(w);
                    warnings.add(w);
                },
                input,
                false);
        if (!model.layout().config().equals(layout.config())) {
            throw new ConfigError(input + " " + location + ": the checkpoint holds a "
                    + model.preset().id()
                    + " model with a vocabulary of " + model.layout().config().vocab() + " tokens, this run trains "
                    + layout.config() + "; set pacer.model.preset and the data to match the checkpoint, or use"
                    + " another checkpoint");
        }
        LOG.info("continued pretraining: starting from the weights of {}", model.describe());
        warnings.add("started from the weights of " + model.checkpoint() + " (pacer.run.init-from)");
        return model.checkpoint();
    }
}
