package dev.pacer.optim;

/**
 * An optimizer whose update needs scalars summed over every tensor (Prodigy's step size d,
 * SGD-SaI's first-step g-SNR normalised over all tensors): it computes them in
 * {@link #partials} and applies them in the second phase, so that a sharded update can reduce
 * the partials of all shards first.
 */
abstract class ReducingOptimizer extends FlatStateOptimizer {

    ReducingOptimizer(int size, String displayName, String... vectorNames) {
        super(size, displayName, vectorNames);
    }

    @Override
    public final boolean reducesAcrossTensors() {
        return true;
    }
}
