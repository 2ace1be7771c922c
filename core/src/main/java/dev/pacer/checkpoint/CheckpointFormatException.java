package dev.pacer.checkpoint;

import java.io.IOException;

/**
 * A checkpoint file exists but its contents are not what Pacer can load: truncated, corrupt, or
 * of a kind Pacer does not support.
 *
 * <p>The message is always a single line of the form {@code "<file>: <what is wrong>; <how to fix
 * it>"}, so that it can be shown to the user as-is. It is an {@link IOException} so that callers
 * that already handle I/O failures of a checkpoint directory handle this one too.
 */
public class CheckpointFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * @param sourceName the file (or other source) being read, as the user would recognise it
     * @param problem what is wrong and how to fix it; line breaks are replaced by spaces
     */
    public CheckpointFormatException(String sourceName, String problem) {
        super(oneLine(sourceName + ": " + problem));
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
