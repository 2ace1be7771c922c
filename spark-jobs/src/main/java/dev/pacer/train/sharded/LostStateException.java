package dev.pacer.train.sharded;

/**
 * A rank found the run's state missing or out of date on its executor: the executor was lost or
 * replaced, a task ran where its state is not, or a replica missed a version. Never repaired by
 * starting that state afresh; the driver restarts the run from its newest checkpoint.
 */
public final class LostStateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LostStateException(String message) {
        super(message);
    }
}
