package dev.pacer.cli;

import dev.pacer.checkpoint.CheckpointFormatException;
import dev.pacer.config.ConfigError;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code pacer}: the command line. Exit codes: 0 success, 2 usage or configuration error
 * (reported before Spark starts), 1 runtime failure.
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

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

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
        return run(new java.io.PrintWriter(System.err, true), args);
    }

    /** As {@link #run(String...)}, with errors written to {@code err}. */
    public static int run(java.io.PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new PacerCli());
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ConfigError) {
                cmd.getErr().println("pacer: configuration error: " + e.getMessage());
                return USAGE;
            }
            if (e instanceof dev.pacer.data.CorpusException) {
                cmd.getErr().println("pacer: bad input: " + e.getMessage());
                return FAILURE;
            }
            if (e instanceof CheckpointFormatException) {
                cmd.getErr().println("pacer: bad checkpoint: " + e.getMessage());
                return FAILURE;
            }
            cmd.getErr().println("pacer: failed: " + e);
            e.printStackTrace(cmd.getErr());
            return FAILURE;
        });
        return cli.execute(args);
    }
}
