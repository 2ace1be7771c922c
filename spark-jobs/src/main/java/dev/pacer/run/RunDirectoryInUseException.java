package dev.pacer.run;

/**
 * Another invocation holds the run directory's lease: a second writer is refused before it writes
 * anything (exit 2 on the command line: rerunning the same command cannot help while the holder
 * runs). The message is one line naming the holder, its last heartbeat and the fix.
 */
public final class RunDirectoryInUseException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RunDirectoryInUseException(String message) {
        super(message);
    }
}
