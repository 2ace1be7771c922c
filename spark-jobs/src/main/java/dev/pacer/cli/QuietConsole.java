package dev.pacer.cli;

import java.util.regex.Pattern;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.filter.AbstractFilter;

/**
 * The console filter of {@link CommandLog}: keeps stack traces, and Spark's own log lines about
 * a failing task, off the console. They repeat what the one line Pacer prints at the end says,
 * and stay in the command's log file (the filter sits on the console appenders only).
 */
final class QuietConsole extends AbstractFilter {

    /**
     * Spark's bookkeeping of a task that threw: the block it could not cache, the job it aborts,
     * the sibling tasks it kills. Lost executors and other warnings still reach the console.
     */
    private static final Pattern TASK_FAILURE = Pattern.compile("^(?:Putting block \\S+ failed due to exception"
            + "|Block \\S+ could not be removed as it was not found"
            + "|Task \\S+ in stage \\S+ failed \\d+ times?; aborting job"
            + "|Lost task \\S+ in stage \\S+ \\(TID \\d+\\) \\([^)]*\\): TaskKilled)");

    QuietConsole() {
        super(Result.DENY, Result.NEUTRAL);
    }

    @Override
    public Result filter(LogEvent event) {
        if (event.getThrown() != null) {
            return Result.DENY;
        }
        String m = event.getMessage() == null ? null : event.getMessage().getFormattedMessage();
        if (m == null) {
            return Result.NEUTRAL;
        }
        boolean stackInText = m.contains("\n\tat ");
        boolean taskBookkeeping = event.getLoggerName().startsWith("org.apache.spark.")
                && TASK_FAILURE.matcher(m).find();
        return stackInText || taskBookkeeping ? Result.DENY : Result.NEUTRAL;
    }
}
