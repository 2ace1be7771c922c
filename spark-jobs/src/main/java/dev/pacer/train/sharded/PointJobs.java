package dev.pacer.train.sharded;

import dev.pacer.checkpoint.NamedTensor;
import dev.pacer.data.CorpusPartition;
import dev.pacer.data.HadoopConf;
import dev.pacer.model.ParameterLayout;
import dev.pacer.model.TensorSpec;
import dev.pacer.optim.Optimizer;
import dev.pacer.optim.Optimizers;
import dev.pacer.run.CheckpointTensors;
import dev.pacer.run.JsonLinesLog;
import dev.pacer.run.ModelSource;
import dev.pacer.run.RunStorage;
import dev.pacer.run.TrainingPoint;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;

/**
 * Jobs on the owners' training points: start (fresh weights, a checkpoint or another run's
 * weights, each owner reading only its own tensors), AdaLRS's snapshot, rollback and replay, and
 * a checkpoint's tensor files written by the owners in parallel.
 */
final class PointJobs {

    private PointJobs() {}

    /** Nothing to report. */
    record Done(int rank) implements Serializable {}

    /** Every owner takes its shard from {@code source} and publishes it whole as version 0. */
    record Start(ShardSpec spec, long generation, ModelSource source, HadoopConf hadoop) implements Ranks.Task<Done> {
        @Override
        public Done run(int rank, CorpusPartition data) {
            ParameterLayout layout = spec.layout();
            ExecutorState.Resident res = ExecutorState.enter(spec.run(), generation, layout.totalSize());
            int[] own = spec.plan().tensorsOf(rank);
            Optimizer optimizer =
                    Optimizers.create(spec.optimizer(), (int) spec.plan().shardSize(rank));
            OwnerState owner =
                    new OwnerState(rank, own, new float[(int) spec.plan().shardSize(rank)], optimizer);
            try {
                if (source instanceof ModelSource.Fresh f) {
                    for (int t : own) {
                        layout.initialTensor(
                                f.seed(), t, owner.weights, spec.plan().offsetInShard(t));
                    }
                } else if (source instanceof ModelSource.Checkpoint c) {
                    ShardReader reader = new ShardReader(spec, rank, new RunStorage(c.directory(), hadoop.get()));
                    owner.restore(reader.point(CheckpointTensors.MODEL, "", c.weightsOnly()));
                    owner.snapshot = c.snapshot() ? reader.point(CheckpointTensors.SNAPSHOT, "weights.", false) : null;
                } else {
                    ModelSource.InMemory m = (ModelSource.InMemory) source;
                    owner.restore(slice(spec, rank, m.current()));
                    owner.snapshot = m.snapshot() == null ? null : slice(spec, rank, m.snapshot());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            res.owners.put(rank, owner);
            owner.publish(spec, generation, 0, own, BlockTransport.here(), res.chunks);
            return new Done(rank);
        }
    }

    /** Rank {@code rank}'s part of a whole-model point. */
    static TrainingPoint slice(ShardSpec spec, int rank, TrainingPoint whole) {
        ParameterLayout layout = spec.layout();
        int size = (int) spec.plan().shardSize(rank);
        float[] w = new float[size];
        Map<String, float[]> state = new LinkedHashMap<>();
        whole.optimizerState().keySet().forEach(k -> state.put(k, new float[size]));
        for (int t : spec.plan().tensorsOf(rank)) {
            TensorSpec s = layout.tensors().get(t);
            int to = spec.plan().offsetInShard(t);
            System.arraycopy(whole.weights(), s.offset(), w, to, s.size());
            whole.optimizerState().forEach((k, v) -> System.arraycopy(v, s.offset(), state.get(k), to, s.size()));
        }
        return new TrainingPoint(w, state, whole.optimizerSteps());
    }

    /** AdaLRS's commands, carried out by every owner on its shard. */
    enum Command {
        SNAPSHOT,
        ROLLBACK,
        SWAP
    }

    /** Snapshot, rollback or replay swap; after the latter two the owner publishes its whole shard as {@code version}. */
    record Snapshot(ShardSpec spec, long generation, Command command, long version) implements Ranks.Task<Done> {
        @Override
        public Done run(int rank, CorpusPartition data) {
            ExecutorState.Resident res = ExecutorState.existing(spec.run(), generation);
            OwnerState owner = res.owner(rank);
            switch (command) {
                case SNAPSHOT -> owner.snapshot = owner.point();
                case ROLLBACK -> owner.restore(owner.snapshot);
                case SWAP -> {
                    TrainingPoint baseEnd = owner.point();
                    owner.restore(owner.snapshot);
                    owner.snapshot = baseEnd;
                }
            }
            if (command != Command.SNAPSHOT) {
                owner.publish(spec, generation, version, owner.tensors, BlockTransport.here(), res.chunks);
            }
            return new Done(rank);
        }
    }

    /** What an owner wrote into a checkpoint: its part of each kind, and the optimizer's state names and steps. */
    record Written(
            int rank,
            Map<String, List<String>> tensorsByFile,
            long bytes,
            List<String> optimizerState,
            long optimizerSteps,
            long snapshotSteps)
            implements Serializable {}

    /** Every owner writes its part of the checkpoint in {@code directory}. */
    record Write(ShardSpec spec, long generation, String directory, HadoopConf hadoop, long step, boolean snapshot)
            implements Ranks.Task<Written> {
        @Override
        public Written run(int rank, CorpusPartition data) {
            OwnerState owner = ExecutorState.existing(spec.run(), generation).owner(rank);
            RunStorage storage = new RunStorage(directory, hadoop.get());
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "pacer-checkpoint-1");
            meta.put("step", Long.toString(step));
            Map<String, List<String>> files = new LinkedHashMap<>();
            long bytes = 0;
            try {
                TrainingPoint current = owner.point();
                bytes +=
                        part(storage, CheckpointTensors.MODEL, rank, tensors(rank, "", current.weights()), meta, files);
                bytes += part(storage, CheckpointTensors.OPTIMIZER, rank, stateTensors(rank, current), meta, files);
                if (snapshot) {
                    List<NamedTensor> snap = new ArrayList<>(tensors(rank, "weights.", owner.snapshot.weights()));
                    snap.addAll(stateTensors(rank, owner.snapshot));
                    bytes += part(storage, CheckpointTensors.SNAPSHOT, rank, snap, meta, files);
                }
                return new Written(
                        rank,
                        files,
                        bytes,
                        List.copyOf(current.optimizerState().keySet()),
                        current.optimizerSteps(),
                        snapshot ? owner.snapshot.optimizerSteps() : -1);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private long part(
                RunStorage storage,
                String kind,
                int rank,
                List<NamedTensor> tensors,
                Map<String, String> meta,
                Map<String, List<String>> files)
                throws IOException {
            String name = CheckpointTensors.partFile(kind, rank, spec.plan().ranks());
            files.put(name, tensors.stream().map(NamedTensor::name).toList());
            return CheckpointTensors.write(storage.fs(), new Path(storage.root(), name), tensors, meta);
        }

        private List<NamedTensor> stateTensors(int rank, TrainingPoint p) {
            List<NamedTensor> out = new ArrayList<>();
            p.optimizerState().forEach((k, v) -> out.addAll(tensors(rank, k + ".", v)));
            return out;
        }

        private List<NamedTensor> tensors(int rank, String prefix, float[] shard) {
            ParameterLayout layout = spec.layout();
            List<NamedTensor> out = new ArrayList<>();
            for (int t : spec.plan().tensorsOf(rank)) {
                TensorSpec s = layout.tensors().get(t);
                int from = spec.plan().offsetInShard(t);
                out.add(new NamedTensor(
                        prefix + s.name(), s.shape(), Arrays.copyOfRange(shard, from, from + s.size())));
            }
            return out;
        }
    }

    /** Forgets the run on every executor and drops its blocks. */
    record Leave(String run) implements Ranks.Task<Done> {
        @Override
        public Done run(int rank, CorpusPartition data) {
            ExecutorState.leave(run);
            return new Done(rank);
        }
    }

    /** Reads an owner's tensors from a checkpoint (either layout). */
    private record ShardReader(ShardSpec spec, int rank, RunStorage storage) {
        TrainingPoint point(String kind, String prefix, boolean weightsOnly) throws IOException {
            ParameterLayout layout = spec.layout();
            Path dir = storage.root();
            Set<String> own = new HashSet<>();
            for (int t : spec.plan().tensorsOf(rank)) {
                own.add(layout.tensors().get(t).name());
            }
            var state = JsonLinesLog.JSON.readTree(storage.readAll(new Path(dir, "state.json")));
            List<String> stateNames = new ArrayList<>();
            if (!weightsOnly) {
                state.get("optimizer_state").forEach(n -> stateNames.add(n.asText()));
            }
            String stateKind = prefix.isEmpty() ? CheckpointTensors.OPTIMIZER : CheckpointTensors.SNAPSHOT;
            Map<String, NamedTensor> weights = CheckpointTensors.read(
                    storage, dir, kind, n -> n.startsWith(prefix) && own.contains(n.substring(prefix.length())));
            Map<String, NamedTensor> vectors = stateNames.isEmpty()
                    ? Map.of()
                    : CheckpointTensors.read(storage, dir, stateKind, n -> {
                        int dot = n.indexOf('.');
                        return dot > 0
                                && stateNames.contains(n.substring(0, dot))
                                && own.contains(n.substring(dot + 1));
                    });
            int size = (int) spec.plan().shardSize(rank);
            float[] w = new float[size];
            Map<String, float[]> opt = new LinkedHashMap<>();
            stateNames.forEach(k -> opt.put(k, new float[size]));
            for (int t : spec.plan().tensorsOf(rank)) {
                String name = layout.tensors().get(t).name();
                int to = spec.plan().offsetInShard(t);
                copy(weights, prefix + name, w, to);
                for (String k : stateNames) {
                    copy(vectors, k + "." + name, opt.get(k), to);
                }
            }
            String steps = prefix.isEmpty() ? "optimizer_steps" : "snapshot_optimizer_steps";
            return new TrainingPoint(w, opt, weightsOnly ? 0 : state.get(steps).asLong());
        }

        private static void copy(Map<String, NamedTensor> from, String name, float[] into, int at) {
            NamedTensor t = from.get(name);
            if (t == null) {
                throw new IllegalStateException("checkpoint tensor '" + name + "' is missing");
            }
            System.arraycopy(t.data(), 0, into, at, t.data().length);
        }
    }
}
