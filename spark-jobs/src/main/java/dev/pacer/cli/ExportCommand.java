package dev.pacer.cli;

import dev.pacer.export.Gpt2Export;
import dev.pacer.run.TrainedModel;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pacer export}: a checkpoint in the GPT-2 layout other tools load. */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = "Write a checkpoint as a Hugging Face GPT-2 model directory: config.json, model.safetensors"
                + " and the tokenizer files.")
public final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CheckpointOption checkpoint = new CheckpointOption();

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "New or empty directory to write.")
    String output;

    @Option(names = "--force", description = "Write into a non-empty output directory, replacing the export files.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        Configuration hadoop = new Configuration();
        TrainedModel model = checkpoint.open(hadoop, spec.commandLine().getErr());
        Gpt2Export.Written w = Gpt2Export.write(model, output, force, hadoop);
        spec.commandLine()
                .getOut()
                .printf("pacer: exported %s%n  to %s: %s%n", model.describe(), w.dir(), String.join(", ", w.files()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
