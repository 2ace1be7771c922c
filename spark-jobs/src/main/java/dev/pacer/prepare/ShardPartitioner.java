package dev.pacer.prepare;

import org.apache.spark.Partitioner;

/** Document {@code i} (its global index) goes to shard {@code i mod shards}. */
final class ShardPartitioner extends Partitioner {

    private static final long serialVersionUID = 1L;

    private final int shards;

    ShardPartitioner(int shards) {
        this.shards = shards;
    }

    @Override
    public int numPartitions() {
        return shards;
    }

    @Override
    public int getPartition(Object key) {
        return (int) Math.floorMod((Long) key, (long) shards);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ShardPartitioner p && p.shards == shards;
    }

    @Override
    public int hashCode() {
        return shards;
    }
}
