package dev.pacer.cli;

import java.io.PrintWriter;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * {@code pacer}: the command line. Exit codes: 0 success, 2 usage or configuration error
 * (reported before Spark starts), 1 runtime failure, bad input or a damaged checkpoint. Every
 * refusal is one line on stderr; stack traces go to the command's log file (docs/refusals.md).
 */
@Command(
        name = "pacer",
        mixinStandardHelpOptions = true,
        version = "pacer 0.1.0",
        description = "Pretrain language models on Apache Spark.",
        subcommands = {
            PrepareCommand.class,
            PretrainCommand.class,
            BenchCommand.class,
            SweepCommand.class,
            ReportCommand.class,
            EvaluateCommand.class,
            SampleCommand.class,
            ExportCommand.class
        })
public final class PacerCli implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(PacerCli.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--verbose",
            scope = CommandLine.ScopeType.INHERIT,
            description = "Also show stack traces and Spark's task-failure logs on the console"
                    + " (they always go to the command's log file).")
    boolean verbose;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "missing command: prepare, pretrain, bench, sweep, report, evaluate, sample or export (pacer --help)");
    }

    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    public static void main(String[] args) {
        int code = run(args);
        // In yarn-cluster mode YARN's application master runs this method in a thread of its own
        // and reports the application's final status once it returns; System.exit(0) would run
        // the AM's shutdown hook first, which marks the application FAILED ("Shutdown hook called
        // before final status was reported"). The AM sets spark.yarn.app.id for its driver.
        // Everywhere else exit, so that no lingering non-daemon thread keeps the command alive.
        if (code == OK && System.getProperty("spark.yarn.app.id") != null) {
            return;
        }
        System.exit(code);
    }

    /** Runs a command line and returns its exit code (tests call this directly). */
    public static int run(String... args) {
        return run(new PrintWriter(System.err, true), args);
    }

    /** As {@link #run(String...)}, with errors written to {@code err}. */
    public static int run(PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new PacerCli());
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, given) -> {
            err.println(usageLine(e));
            return USAGE;
        });
        cli.setExecutionStrategy(parsed -> {
            boolean verbose = matches(parsed, "--verbose");
            try (CommandLog log =
                    CommandLog.start(innermost(parsed).commandSpec().name(), verbose)) {
                try {
                    return new CommandLine.RunLast().execute(parsed);
                } catch (CommandLine.ExecutionException e) {
                    return refuse(e.getCause() == null ? e : e.getCause(), err, log.file(), verbose);
                } catch (Error e) { // out of memory, a missing class: still one line, the trace in the log
                    return refuse(e, err, log.file(), verbose);
                }
            }
        });
        return cli.execute(args);
    }

    /** One line for a bad command line, with picocli's suggestions and where help is. */
    private static String usageLine(CommandLine.ParameterException e) {
        String suggestions = "";
        if (e instanceof CommandLine.UnmatchedArgumentException u
                && !u.getSuggestions().isEmpty()) {
            suggestions = "; did you mean " + String.join(" or ", u.getSuggestions()) + "?";
        }
        String help = e.getCommandLine().getCommandSpec().qualifiedName() + " --help";
        return "pacer: usage error: " + Refusal.oneLine(e.getMessage()) + suggestions + " (" + help
                + " lists the options)";
    }

    /** Prints the one line of a failed command; the trace goes to the log file, or with --verbose to the console too. */
    private static int refuse(Throwable e, PrintWriter err, Optional<java.nio.file.Path> logFile, boolean verbose) {
        Refusal r = Refusal.of(e);
        String trace = "";
        if (r.traceWorthKeeping() || verbose) {
            LOG.error("pacer {} ({}): {}", r.kind(), r.exitCode(), r.message(), e);
            if (logFile.isPresent()) {
                trace = "full trace in " + logFile.get();
            } else if (verbose) {
                e.printStackTrace(err);
            } else {
                trace = "--verbose shows the stack trace";
            }
        }
        err.println(r.line(r.traceWorthKeeping() ? trace : ""));
        return r.exitCode();
    }

    private static ParseResult innermost(ParseResult parsed) {
        ParseResult p = parsed;
        while (p.subcommand() != null) {
            p = p.subcommand();
        }
        return p;
    }

    private static boolean matches(ParseResult parsed, String option) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption(option)) {
                return true;
            }
        }
        return false;
    }
}
