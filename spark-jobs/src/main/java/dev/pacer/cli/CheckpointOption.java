package dev.pacer.cli;

import dev.pacer.run.TrainedModel;
import java.io.IOException;
import java.io.PrintWriter;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Option;

/** The {@code --checkpoint} option of the commands that read a trained model (evaluate, sample, export). */
final class CheckpointOption {

    @Option(
            names = "--checkpoint",
            required = true,
            paramLabel = "DIR",
            description = "Checkpoint directory (RUN_DIR/checkpoints/step-NNNNNNN), or a run directory for its newest"
                    + " committed checkpoint.")
    String location;

    /** The model at {@code --checkpoint}; notices (skipped checkpoints, unreadable settings) go to {@code err}. */
    TrainedModel open(Configuration hadoop, PrintWriter err) throws IOException {
        return TrainedModel.open(location, hadoop, m -> err.println("pacer: warning: " + m));
    }
}
