package dev.pacer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.pacer.config.ConfigError;
import dev.pacer.engine.EngineThreads;
import dev.pacer.evaluate.Evaluation;
import dev.pacer.evaluate.EvaluationSet;
import dev.pacer.run.TrainedModel;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pacer evaluate}: validation loss, perplexity and bits per byte of a checkpoint. */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description = "Validation loss, perplexity and bits per byte of a checkpoint on a corpus (one JVM, no Spark).")
public final class EvaluateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CheckpointOption checkpoint = new CheckpointOption();

    @Option(
            names = "--data",
            required = true,
            paramLabel = "URI",
            description = "'bundled' (the bundled corpus's validation split), or a text file with one document a line"
                    + " (optionally .gz) on any Hadoop file system.")
    String data;

    @Option(
            names = "--seq-len",
            paramLabel = "N",
            description = "Tokens per scored sequence (default: the run's pacer.train.seq-len).")
    Integer seqLen;

    @Option(names = "--max-sequences", paramLabel = "N", description = "Score at most N sequences (default: all).")
    int maxSequences;

    @Option(
            names = "--validation-only",
            description = "For a file: score only the documents the training split holds out.")
    boolean validationOnly;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (maxSequences < 0) {
            throw new ConfigError("--max-sequences " + maxSequences + ": expected >= 0 (0 = all)");
        }
        PrintWriter err = spec.commandLine().getErr();
        Configuration hadoop = new Configuration();
        TrainedModel model = checkpoint.open(hadoop, err);
        int context = model.layout().config().context();
        int length = seqLen != null ? seqLen : model.trainedSeqLen();
        if (length < 2 || length > context) {
            throw new ConfigError("--seq-len " + length + ": the "
                    + model.preset().id() + " model reads 2 to " + context + " tokens");
        }
        double fraction = model.runConfig() != null
                        && model.runConfig().path("data").has("validation-fraction")
                ? model.runConfig().path("data").path("validation-fraction").asDouble()
                : ConfigFactory.defaultReference().getDouble("pacer.data.validation-fraction");
        EvaluationSet set = EvaluationSet.read(
                data, model.tokenizer().open(), length, fraction, validationOnly, maxSequences, hadoop);
        EngineThreads.configure(Runtime.getRuntime().availableProcessors());
        int total = set.sequences().size();
        long started = System.nanoTime();
        Evaluation e = Evaluation.run(model.layout(), model.weights(), set, done -> {
            if (!json && total > 256) {
                err.printf("pacer: evaluated %d of %d sequences%n", done, total);
                err.flush();
            }
        });
        double seconds = (System.nanoTime() - started) / 1e9;
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper()
                    .createObjectNode()
                    .put("checkpoint", model.checkpoint())
                    .put("step", model.step())
                    .put("data", set.source())
                    .put("documents", set.documents())
                    .put("sequences", e.sequences())
                    .put("seq_len", length)
                    .put("tokens", e.targetTokens())
                    .put("loss", e.lossNatsPerToken())
                    .put("perplexity", e.perplexity())
                    .put("bits_per_byte", e.bitsPerByte())
                    .put("bytes_per_token", e.bytesPerToken())
                    .put("bytes_exact", set.exactBytes())
                    .put("tokenizer", model.tokenizer().info().describe())
                    .put("seconds", Math.round(seconds * 100) / 100.0)
                    .toString());
        } else {
            out.printf(
                    "pacer: evaluated %s%n  on %s: %,d documents, %,d sequences of %d tokens (%,d tokens scored,"
                            + " %.1f s)%n  validation loss %.4f nats/token, perplexity %.3f, %.4f bits/byte%s%n",
                    model.describe(),
                    set.source(),
                    set.documents(),
                    e.sequences(),
                    length,
                    e.targetTokens(),
                    seconds,
                    e.lossNatsPerToken(),
                    e.perplexity(),
                    e.bitsPerByte(),
                    set.exactBytes()
                            ? ""
                            : String.format(
                                    " (estimated from %.3f bytes per token over the documents: %s is not"
                                            + " byte-level)",
                                    e.bytesPerToken(), model.tokenizer().info().describe()));
        }
        out.flush();
        return 0;
    }
}
