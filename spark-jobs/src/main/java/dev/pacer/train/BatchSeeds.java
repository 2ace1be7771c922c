package dev.pacer.train;

/**
 * Seeds derived per unit of work, so any step of any partition can be replayed on its own:
 * SplitMix64's finaliser over the run seed, the step and the partition.
 */
public final class BatchSeeds {

    private BatchSeeds() {}

    public static long derive(long runSeed, long step, int partition) {
        long z = runSeed;
        z = mix(z ^ mix(step + 0x9E3779B97F4A7C15L));
        z = mix(z ^ mix(partition + 0xBF58476D1CE4E5B9L));
        return z;
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Sequences partition {@code p} of {@code partitions} contributes to a global batch. */
    public static int share(int globalBatch, int partitions, int p) {
        return globalBatch / partitions + (p < globalBatch % partitions ? 1 : 0);
    }
}
