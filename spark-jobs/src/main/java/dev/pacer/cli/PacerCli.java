package dev.pacer.cli;

import dev.pacer.checkpoint.CheckpointFormatException;
import dev.pacer.config.ConfigError;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code pacer}: the command line. Exit codes: 0 success, 2 usage or configuration error
 * (reported before Spark starts), 1 runtime failure.
 */
@Command(name = "pacer", mixinStandardHelpOptions = true, version = "pacer 0.1.0",
        description = "Pretrain language models on Apache Spark.",
        subcommands = {PrepareCommand.class, PretrainCommand.class, BenchCommand.class, SweepCommand.class,
                ReportCommand.class, EvaluateCommand.class, SampleCommand.class, ExportCommand.class})
public final class PacerCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing command: prepare, pretrain, bench, sweep, report, evaluate, sample or export (pacer --help)");
    }


    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    public static void main(String[] args) {
        System.exit(run(args));
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
