package dev.pacer.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * A write to the run directory's file system failed (disk full, permission lost, a data node
 * gone): one line saying what was being written, why it failed, what is still safe and how to
 * resume. The command line reports it as {@code pacer: storage error:} with exit 1.
 */
public final class StorageFailure extends IOException {

    private static final long serialVersionUID = 1L;

    public StorageFailure(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Whether {@code e} is a failure of the file system: an {@link IOException} (or Hadoop's
     * {@code FSError}, which its local file system throws for a full disk) somewhere in its causes,
     * or a task failure whose report names one (a cluster's driver may not be able to deserialize
     * the task's exception).
     */
    public static boolean isStorage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException || t instanceof org.apache.hadoop.fs.FSError) {
                return true;
            }
        }
        Optional<TaskFailure.Remote> remote = TaskFailure.remote(TaskFailure.original(e));
        return remote.isPresent() && isStorageClass(remote.get().className());
    }

    private static boolean isStorageClass(String className) {
        return className.endsWith("IOException")
                || className.endsWith("FSError")
                || className.startsWith("java.nio.file.")
                || className.endsWith("Exception") && className.startsWith("org.apache.hadoop.");
    }

    /**
     * Why it failed, in one line: the innermost cause's message (a full disk's "No space left on
     * device", HDFS's "Could not get block locations ..."), with its class when that says more.
     */
    public static String reason(Throwable e) {
        Optional<TaskFailure.Remote> remote = TaskFailure.remote(TaskFailure.original(e));
        if (remote.isPresent()) {
            return oneLine(remote.get().simpleName() + ": " + remote.get().message());
        }
        Throwable root = e;
        for (int depth = 0; depth < 32 && root.getCause() != null && root.getCause() != root; depth++) {
            root = root.getCause();
        }
        String m = root.getMessage();
        String name = root.getClass().getSimpleName();
        boolean plain = root.getClass() == IOException.class || root instanceof UncheckedIOException;
        return oneLine(m == null || m.isBlank() ? name : plain ? m : name + ": " + m);
    }

    private static String oneLine(String s) {
        return s.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
