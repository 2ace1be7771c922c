package dev.pacer.cli;

import dev.pacer.report.RunReport;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pacer report RUN_DIR}: the run's HTML report with its plots. */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description = "Write a run's report: one self-contained HTML page (plots embedded) and the plots as PNG"
                + " files, in RUN_DIR/report/.")
public final class ReportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "Run directory written by pretrain.")
    String runDir;

    @Option(names = "--output", paramLabel = "DIR", description = "Write into DIR instead of RUN_DIR/report.")
    String output;

    @Override
    public Integer call() throws Exception {
        RunReport.Written w = RunReport.write(
                runDir,
                output,
                new Configuration(),
                m -> spec.commandLine().getErr().println("pacer: warning: " + m));
        spec.commandLine()
                .getOut()
                .printf(
                        "pacer: report written to %s (%d plots also as PNG files there)%n",
                        w.html(), w.images().size());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
