package dev.pacer.cli;

import dev.pacer.checkpoint.CheckpointFormatException;
import dev.pacer.config.ConfigError;
import dev.pacer.data.CorpusException;
import dev.pacer.run.LeaseLostException;
import dev.pacer.run.RunDirectoryInUseException;
import dev.pacer.run.StorageFailure;
import dev.pacer.run.TaskFailure;
import java.util.Optional;

/**
 * How a command that ended in an exception is reported: one console line and an exit code
 * (docs/refusals.md). Spark's wrapping is taken off first, so a failure inside a task reads as
 * what the task threw: the line never carries Spark's stage-failure report.
 *
 * @param kind "configuration error", "bad input", "bad checkpoint", "run directory in use", "run
 *     directory taken over", "storage error", or "failed" for anything else (a failure Pacer did
 *     not anticipate: its trace is what to look at)
 */
record Refusal(int exitCode, String kind, String message) {

    static final String CONFIGURATION = "configuration error";
    static final String BAD_INPUT = "bad input";
    static final String BAD_CHECKPOINT = "bad checkpoint";
    static final String FAILED = "failed";
    static final String IN_USE = "run directory in use";
    static final String LEASE_LOST = "run directory taken over";
    static final String STORAGE = "storage error";

    static Refusal of(Throwable e) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < 32; t = t.getCause(), depth++) {
            if (t instanceof ConfigError) {
                return new Refusal(PacerCli.USAGE, CONFIGURATION, oneLine(t.getMessage()));
            }
            if (t instanceof CorpusException) {
                return new Refusal(PacerCli.FAILURE, BAD_INPUT, oneLine(t.getMessage()));
            }
            if (t instanceof CheckpointFormatException) {
                return new Refusal(PacerCli.FAILURE, BAD_CHECKPOINT, oneLine(t.getMessage()));
            }
            if (t instanceof RunDirectoryInUseException) {
                return new Refusal(PacerCli.USAGE, IN_USE, oneLine(t.getMessage()));
            }
            if (t instanceof LeaseLostException) {
                return new Refusal(PacerCli.FAILURE, LEASE_LOST, oneLine(t.getMessage()));
            }
            if (t instanceof StorageFailure) {
                return new Refusal(PacerCli.FAILURE, STORAGE, oneLine(t.getMessage()));
            }
        }
        Optional<CorpusException> unreadable = TaskFailure.unreadableFile(e);
        if (unreadable.isPresent()) {
            return new Refusal(
                    PacerCli.FAILURE, BAD_INPUT, oneLine(unreadable.get().getMessage()));
        }
        Throwable task = TaskFailure.original(e);
        return TaskFailure.remote(task)
                .map(Refusal::ofRemote)
                .orElse(new Refusal(PacerCli.FAILURE, FAILED, describe(task)));
    }

    /** The exception and, when it wraps another, the innermost cause: what a trace would start and end with. */
    private static String describe(Throwable t) {
        Throwable root = t;
        for (int depth = 0; depth < 32 && root.getCause() != null && root.getCause() != root; depth++) {
            root = root.getCause();
        }
        return oneLine(t.toString()) + (root == t ? "" : " (caused by " + oneLine(root.toString()) + ")");
    }

    /** A task exception that reached the driver only as text: Pacer's own are known by name. */
    private static Refusal ofRemote(TaskFailure.Remote r) {
        String m = oneLine(r.message());
        return switch (r.simpleName()) {
            case "ConfigError" -> new Refusal(PacerCli.USAGE, CONFIGURATION, m);
            case "CorpusException" -> new Refusal(PacerCli.FAILURE, BAD_INPUT, m);
            case "CheckpointFormatException", "ModelMismatchException" ->
                new Refusal(PacerCli.FAILURE, BAD_CHECKPOINT, m);
            default -> new Refusal(PacerCli.FAILURE, FAILED, r.className() + ": " + m);
        };
    }

    /** Whether the trace helps: not for configuration errors, which the line explains fully. */
    boolean traceWorthKeeping() {
        return exitCode != PacerCli.USAGE;
    }

    /** The console line; {@code trace} says where the stack trace is, or is empty. */
    String line(String trace) {
        return "pacer: " + kind + ": " + message + (trace.isEmpty() ? "" : " (" + trace + ")");
    }

    static String oneLine(String s) {
        return (s == null ? "" : s).strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
