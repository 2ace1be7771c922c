package dev.pacer.train.sharded;

import dev.pacer.config.OptimizerSettings;
import dev.pacer.model.ParameterLayout;
import dev.pacer.model.ShardPlan;
import dev.pacer.model.TensorSpec;
import dev.pacer.optim.ParamSlice;
import dev.pacer.train.GradientWorker;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.broadcast.Broadcast;

/**
 * What every rank of a sharded run knows: the run's id, the plan of who owns which tensor, the
 * optimizer's settings, the {@link GradientWorker} that computes a rank's share of a step, and
 * how blocks encode gradient pieces and (per tensor) weights ({@link TensorBlock}), and whether
 * ranks in one JVM hand each other their pieces and weights in memory ({@link Ranks#piecesInMemory},
 * {@link Ranks#oneJvm}).
 * Its size grows with the number of tensors (the plan), so on Spark it is broadcast once per
 * run ({@link Ranks#share}) and a job's tasks carry only the broadcast's handle.
 */
record ShardSpec(
        String run,
        ShardPlan plan,
        OptimizerSettings optimizer,
        GradientWorker worker,
        boolean gradientsInBf16,
        boolean[] weightsInBf16,
        boolean piecesInMemory,
        boolean oneJvm)
        implements Serializable {

    /** Specs that {@link Ranks#share} broadcast, by identity: they serialize as their handle. */
    private static final Map<ShardSpec, Broadcast<ShardSpec>> BROADCASTS =
            Collections.synchronizedMap(new IdentityHashMap<>());

    /** From now on this spec travels as {@code broadcast}'s handle. */
    void travelAs(Broadcast<ShardSpec> broadcast) {
        BROADCASTS.put(this, broadcast);
    }

    /** This spec travels whole again; returns the broadcast it travelled as, or null. */
    Broadcast<ShardSpec> travelWhole() {
        return BROADCASTS.remove(this);
    }

    /** Serialization: the broadcast's handle when the spec was shared (the spec itself when broadcast). */
    private Object writeReplace() {
        Broadcast<ShardSpec> b = BROADCASTS.get(this);
        return b == null ? this : new Handle(b);
    }

    /** A shared spec in a task: the executor reads the broadcast (once per executor JVM). */
    private record Handle(Broadcast<ShardSpec> broadcast) implements Serializable {
        private Object readResolve() {
            return broadcast.value();
        }
    }

    ParameterLayout layout() {
        return new ParameterLayout(worker.config());
    }

    /** The block of rank {@code rank}'s weights at {@code version}. */
    String weightBlock(long generation, long version, int rank) {
        return "pacer-" + run + "-" + generation + "-w" + version + "-r" + rank;
    }

    /** The block of rank {@code rank}'s evaluation weights at {@code version} (optimizers with two points). */
    String evaluationBlock(long generation, long version, int rank) {
        return "pacer-" + run + "-" + generation + "-e" + version + "-r" + rank;
    }

    /** The piece of rank {@code from}'s gradient of computed step {@code seq} that rank {@code to} owns. */
    String gradientBlock(long generation, long seq, int from, int to) {
        return "pacer-" + run + "-" + generation + "-g" + seq + "-" + from + "-" + to;
    }

    /** Rank {@code rank}'s message {@code kind} about computed step {@code seq} (a few numbers, for a fused step). */
    String messageBlock(long generation, long seq, String kind, int rank) {
        return "pacer-" + run + "-" + generation + "-g" + seq + "-m" + kind + "-" + rank;
    }

    /**
     * The optimizer's slices of rank {@code rank}'s shard: each trainable owned tensor at its rate
     * ({@code rates} per tensor, in layout order), placed where it sits in the shard.
     */
    List<ParamSlice> slices(ParameterLayout layout, int rank, double[] rates, boolean[] trainable) {
        List<ParamSlice> out = new ArrayList<>();
        for (int t : plan.tensorsOf(rank)) {
            if (trainable == null || trainable[t]) {
                TensorSpec s = layout.tensors().get(t);
                out.add(new ParamSlice(
                        s.name(), plan.offsetInShard(t), s.size(), rates[t], optimizer.weightDecayFor(s), s.shape()));
            }
        }
        return out;
    }

    /** Rank {@code rank}'s trainable tensors (all when {@code trainable} is null). */
    int[] trainableOf(int rank, boolean[] trainable) {
        return java.util.Arrays.stream(plan.tensorsOf(rank))
                .filter(t -> trainable == null || trainable[t])
                .toArray();
    }
}
