package dev.pacer.optim;

/**
 * An optimizer whose update reads and writes each element alone (AdamW, Lion, SGD, AdaBelief,
 * Adan, DiffGrad): {@link Optimizer#setThreads} lets it run on several threads over contiguous
 * element ranges, with the one-thread result bit for bit.
 */
abstract class ElementwiseOptimizer extends FlatStateOptimizer {

    ElementwiseOptimizer(int size, String displayName, String... vectorNames) {
        super(size, displayName, vectorNames);
    }

    @Override
    protected final boolean elementwise() {
        return true;
    }
}
