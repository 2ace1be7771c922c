package dev.pacer.run;

/**
 * This invocation no longer holds its run directory's lease (another one took it over after this
 * one's heartbeats stopped reaching the file system for longer than the timeout): it stops before
 * writing another checkpoint. One line naming who holds the directory now.
 */
public final class LeaseLostException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public LeaseLostException(String message) {
        super(message);
    }
}
