package dev.pacer.run;

import dev.pacer.data.CorpusException;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What went wrong inside a Spark job, without Spark's wrapping. A task's exception reaches the
 * driver inside a {@code SparkException} whose message is Spark's stage-failure report ("Job
 * aborted due to stage failure: Task 0 in stage 0.0 failed 1 times, most recent failure: Lost
 * task ...") with the task's stack trace in it; the task's own exception is that exception's
 * cause when it could be deserialized, and otherwise only named in the report's text.
 */
public final class TaskFailure {

    private static final String STAGE_FAILURE = "Job aborted due to stage failure";

    /** The report's "Lost task 0.0 in stage 0.0 (TID 0) (host executor id): class: message" line. */
    private static final Pattern LOST_TASK =
            Pattern.compile("Lost task \\S+ in stage \\S+ \\(TID \\d+\\) \\([^)]*\\): ([\\w.$]+)(?:: (.*))?");

    /** The file named by Spark's file-source errors (FAILED_READ_FILE, CANNOT_READ_FILE_FOOTER). */
    private static final Pattern SPARK_READ_FILE = Pattern.compile(
            "(?:Encountered error while reading file|Could not read footer for file:?)\\s+(\\S+?)\\.?(?:\\s|$)");

    private TaskFailure() {}

    /**
     * The exception the failing task threw (or {@code e} itself when it is not a wrapped task
     * failure): the causes of {@link ExecutionException}s, {@link CompletionException}s and
     * Spark's stage-failure exceptions are followed.
     */
    public static Throwable original(Throwable e) {
        Throwable t = e;
        for (int depth = 0; depth < 32 && t.getCause() != null && t.getCause() != t; depth++) {
            if (!(t instanceof ExecutionException || t instanceof CompletionException || isStageFailure(t))) {
                break;
            }
            t = t.getCause();
        }
        return t;
    }

    /**
     * For a stage failure whose task exception did not travel with it (not deserializable on the
     * driver): the exception's class name and message as the report gives them.
     */
    public static Optional<Remote> remote(Throwable e) {
        if (!isStageFailure(e) || e.getMessage() == null) {
            return Optional.empty();
        }
        Matcher m = LOST_TASK.matcher(e.getMessage());
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(
                new Remote(m.group(1), m.group(2) == null ? "" : m.group(2).trim()));
    }

    /** A task exception known only by its class name and message (the first line). */
    public record Remote(String className, String message) {

        public String simpleName() {
            return className.substring(className.lastIndexOf('.') + 1);
        }
    }

    /**
     * A file that Spark's own reader (Parquet) could not read, as a one-line {@link
     * CorpusException} naming the file and the innermost reason, if {@code e} is such a failure.
     */
    public static Optional<CorpusException> unreadableFile(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            Matcher m = t.getMessage() == null ? null : SPARK_READ_FILE.matcher(t.getMessage());
            if (m != null && m.find()) {
                Throwable root = t;
                while (root.getCause() != null && root.getCause() != root) {
                    root = root.getCause();
                }
                String reason = root == t ? "unreadable" : CorpusException.firstLine(root);
                return Optional.of(new CorpusException(
                        m.group(1) + ": not a readable Parquet file (" + reason
                                + "); the file is corrupt or truncated: write it again, or leave it out of the input",
                        e));
            }
        }
        return Optional.empty();
    }

    private static boolean isStageFailure(Throwable t) {
        return t.getMessage() != null
                && t.getMessage().startsWith(STAGE_FAILURE)
                && t.getClass().getName().startsWith("org.apache.spark.");
    }
}
