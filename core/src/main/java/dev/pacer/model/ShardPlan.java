package dev.pacer.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Which of {@code ranks} executor ranks owns which tensors, for the sharded update: whole tensors
 * (so per-tensor optimizers such as LAMB and AdamP stay exact), balanced by size (largest first,
 * each to the rank holding the fewest parameters so far; ties to the lowest rank). A rank's shard
 * is its tensors in layout order, one after another.
 */
public final class ShardPlan implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int ranks;
    private final int[] owner;
    private final int[] offsetInShard;
    private final int[][] tensorsOf;
    private final long[] shardSize;

    private ShardPlan(int ranks, int[] owner, List<TensorSpec> tensors) {
        this.ranks = ranks;
        this.owner = owner;
        this.offsetInShard = new int[owner.length];
        this.tensorsOf = new int[ranks][];
        this.shardSize = new long[ranks];
        for (int r = 0; r < ranks; r++) {
            final int rank = r;
            tensorsOf[r] = IntStream.range(0, owner.length)
                    .filter(t -> owner[t] == rank)
                    .toArray();
            long offset = 0;
            for (int t : tensorsOf[r]) {
                offsetInShard[t] = Math.toIntExact(offset);
                offset += tensors.get(t).size();
            }
            shardSize[r] = offset;
        }
    }

    /** The balanced plan of {@code layout}'s tensors over {@code ranks} ranks. */
    public static ShardPlan balance(ParameterLayout layout, int ranks) {
        if (ranks < 1) {
            throw new IllegalArgumentException("ranks must be >= 1, got " + ranks);
        }
        List<TensorSpec> tensors = layout.tensors();
        List<Integer> order =
                new ArrayList<>(IntStream.range(0, tensors.size()).boxed().toList());
        // largest first; the sort is stable, so equal sizes keep layout order
        order.sort(
                Comparator.comparingLong((Integer t) -> tensors.get(t).size()).reversed());
        long[] load = new long[ranks];
        int[] owner = new int[tensors.size()];
        for (int t : order) {
            int best = 0;
            for (int r = 1; r < ranks; r++) {
                if (load[r] < load[best]) {
                    best = r;
                }
            }
            owner[t] = best;
            load[best] += tensors.get(t).size();
        }
        return new ShardPlan(ranks, owner, tensors);
    }

    public int ranks() {
        return ranks;
    }

    /** The rank that owns tensor {@code t}. */
    public int ownerOf(int t) {
        return owner[t];
    }

    /** Rank {@code r}'s tensors, in layout order. */
    public int[] tensorsOf(int r) {
        return tensorsOf[r].clone();
    }

    /** Where tensor {@code t} starts in its owner's shard. */
    public int offsetInShard(int t) {
        return offsetInShard[t];
    }

    /** Parameters rank {@code r} owns. */
    public long shardSize(int r) {
        return shardSize[r];
    }
}
