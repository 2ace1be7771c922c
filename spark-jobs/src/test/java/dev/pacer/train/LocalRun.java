package dev.pacer.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.pacer.model.ParameterLayout;
import dev.pacer.rates.Controllers;
import dev.pacer.run.CheckpointStore;
import dev.pacer.run.Checkpointing;
import dev.pacer.run.JsonLinesLog;
import dev.pacer.run.ModelSource;
import dev.pacer.run.PacerSettings;
import dev.pacer.run.RunState;
import dev.pacer.run.RunStorage;
import dev.pacer.train.sharded.LocalRanks;
import dev.pacer.train.sharded.ShardedBackend;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.hadoop.conf.Configuration;

/**
 * The real training loop, controllers and checkpoints over the in-memory backend: one replica,
 * no Spark, {@code compute = synthetic} so every number is the same on any CPU. Each
 * {@link #invoke} is one invocation of pretrain: resume from the run directory's newest
 * checkpoint (or start fresh), train, checkpoint.
 */
final class LocalRun {

    /** The tiny shape of the LR-recovery sweep, on the synthetic stand-in for the model. */
    static final String BASE = String.join(
            "\n",
            "pacer.model.preset = tiny",
            "pacer.engine.compute = synthetic",
            "pacer.train.seq-len = 32",
            "pacer.train.global-batch = 8",
            "pacer.train.micro-batch = 4",
            "pacer.train.eval-every = 5",
            "pacer.train.eval-sequences = 8",
            "pacer.data.max-documents = 2000",
            "pacer.spark.partitions = 2",
            "pacer.checkpoint.keep = 100");

    final PacerSettings settings;
    final ParameterLayout layout;
    private final GradientWorker worker;
    private final List<dev.pacer.data.CorpusPartition> data;

    final List<StepRecord> records = new ArrayList<>();
    final List<ObjectNode> events = new ArrayList<>();
    final List<Long> checkpoints = new ArrayList<>();

    /**
     * Where the update runs: the driver-held or the sharded backend, both without Spark; the
     * sharded one also with every gradient piece sent as a block, as between executors.
     */
    enum Update {
        DRIVER,
        SHARDED,
        SHARDED_BLOCKS
    }

    final Update update;

    LocalRun(Path runDir, String hocon) {
        this(runDir, hocon, Update.DRIVER);
    }

    LocalRun(Path runDir, String hocon, Update update) {
        this(runDir.toString().replace("\\", "/"), hocon, update);
    }

    /** A run in {@code runDir}, a path or a URI of any Hadoop file system. */
    LocalRun(String runDir, String hocon, Update update) {
        this.update = update;
        this.settings = PacerSettings.load(
                ConfigFactory.parseString(BASE + "\n" + hocon + "\npacer.run.dir = \"" + runDir + "\""));
        CorpusData corpus = CorpusData.open(settings, new Configuration());
        this.layout = new ParameterLayout(settings.gptConfig(corpus.vocabSize()));
        this.data = corpus.loadHere();
        this.worker = new PretrainJob(settings, 0, List.of()).worker(layout, 1);
    }

    /** One invocation: at most {@code iterations} computed steps (0 = to the end). */
    RunState invoke(long iterations) throws IOException {
        return invoke(iterations, UnaryOperator.identity());
    }

    /** As {@link #invoke(long)}, with the gradient source wrapped (fault injection; driver-held update only). */
    RunState invoke(long iterations, UnaryOperator<GradientSource> wrap) throws IOException {
        CheckpointStore store = new CheckpointStore(new RunStorage(settings.runDir(), new Configuration()), layout);
        Checkpointing checkpointing = new Checkpointing(
                store,
                settings.checkpoint().every(),
                settings.checkpoint().keep(),
                JsonLinesLog.row().put("seed", settings.seed()));
        var loaded = checkpointing.resume(w -> {});
        RunState start = loaded.map(CheckpointStore.Loaded::state).orElseGet(RunState::fresh);
        ModelSource model = loaded.<ModelSource>map(l -> new ModelSource.Checkpoint(
                        l.candidate().path().toString(), false, l.state().snapshot() != null))
                .orElseGet(() -> new ModelSource.Fresh(settings.seed()));
        long max = settings.train().maxSteps();
        long stopAt = iterations > 0 ? Math.min(max, start.step() + iterations) : max;
        try (StepBackend backend = backend(store, wrap)) {
            return new TrainingLoop(
                            backend, controllers(), settings.train(), layout, checkpointing, List.of(listener()))
                    .run(start, model, stopAt, iterations > 0 ? iterations : Long.MAX_VALUE);
        }
    }

    private StepBackend backend(CheckpointStore store, UnaryOperator<GradientSource> wrap) {
        if (update != Update.DRIVER) {
            return new ShardedBackend(
                    new LocalRanks(data, update == Update.SHARDED),
                    worker,
                    layout,
                    settings.optimizer(),
                    settings.train().gradClip(),
                    new Configuration(),
                    settings.weightEncoding(),
                    settings.fusedStep());
        }
        return new DriverBackend(
                store,
                layout,
                settings.optimizer(),
                settings.train().gradClip(),
                wrap.apply(new LocalGradients(data, worker)));
    }

    Controllers controllers() {
        return Controllers.of(settings.train(), settings.adalrs(), settings.hidlr(), layout, settings.partitions());
    }

    private TrainingListener listener() {
        return new TrainingListener() {
            @Override
            public void onStep(StepRecord r) {
                records.add(r);
            }

            @Override
            public void onEvent(ObjectNode e) {
                events.add(e);
            }

            @Override
            public void onCheckpoint(long step, String location) {
                checkpoints.add(step);
            }
        };
    }

    /** Events of one kind ({@code adalrs}, {@code hidlr_probe}, ...), in order. */
    List<ObjectNode> events(String kind) {
        return events.stream()
                .filter(e -> kind.equals(e.path("event").asText()))
                .toList();
    }

    /** The weights of the checkpoint of step {@code step}. */
    float[] weightsAt(long step) throws IOException {
        CheckpointStore store = new CheckpointStore(new RunStorage(settings.runDir(), new Configuration()), layout);
        return store.readPoint(store.directoryFor(step), true).weights();
    }
}
