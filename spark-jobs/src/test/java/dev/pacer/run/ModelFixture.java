package dev.pacer.run;

import dev.pacer.data.tokenize.TokenizerSpec;
import dev.pacer.model.ModelPreset;
import dev.pacer.model.ParameterLayout;
import dev.pacer.model.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * A run directory holding one committed checkpoint of the tiny preset with deterministic weights,
 * as a pretrain run would leave it: config.json with a tokenizer and a sequence length, and for
 * {@link #write(Path, long, float[], int, TokenizerSpec)} the run's copy of the tokenizer and its
 * record in state.json.
 */
public final class ModelFixture {

    public static final int VOCAB = 257;
    public static final ParameterLayout LAYOUT = layout(VOCAB);

    private ModelFixture() {}

    /** The tiny preset for a vocabulary of {@code vocab} ids. */
    public static ParameterLayout layout(int vocab) {
        return new ParameterLayout(ModelPreset.TINY.config(vocab));
    }

    /** {@link #weights(ParameterLayout)} of the byte tokenizer's tiny model. */
    public static float[] weights() {
        return weights(LAYOUT);
    }

    /**
     * Weights {@code 0.05·sin(0.37·g + 1)} for flat index g, plus 1 for LayerNorm gains: the
     * formula of core's golden test (make_gpt_golden.py), here over the tiny preset.
     */
    public static float[] weights(ParameterLayout layout) {
        float[] w = new float[layout.totalSize()];
        for (TensorSpec t : layout.tensors()) {
            boolean gain = t.name().endsWith("ln_1.weight")
                    || t.name().endsWith("ln_2.weight")
                    || t.name().endsWith("ln_f.weight");
            for (int i = t.offset(); i < t.offset() + t.size(); i++) {
                w[i] = (float) (0.05 * Math.sin(0.37 * i + 1.0) + (gain ? 1.0 : 0.0));
            }
        }
        return w;
    }

    /**
     * Writes {@code runDir} with a committed checkpoint at {@code step} of the byte tokenizer, as
     * runs wrote it before checkpoints recorded their tokenizer; returns the checkpoint directory.
     */
    public static Path write(Path runDir, long step, float[] weights, int seqLen) throws IOException {
        writeConfig(runDir, "byte", seqLen);
        return checkpoint(runDir, step, weights, LAYOUT, JsonLinesLog.row());
    }

    /**
     * Writes {@code runDir} as pretrain leaves it with {@code tokenizer}: config.json naming it,
     * the run's copy, and a committed checkpoint recording it; returns the checkpoint directory.
     */
    public static Path write(Path runDir, long step, float[] weights, int seqLen, TokenizerSpec tokenizer)
            throws IOException {
        writeConfig(runDir, tokenizer.source(), seqLen);
        RunStorage storage = new RunStorage(runDir.toString(), new Configuration());
        RunTokenizer.save(storage, tokenizer);
        ParameterLayout layout = layout(tokenizer.vocabSize());
        return checkpoint(
                runDir,
                step,
                weights,
                layout,
                JsonLinesLog.row()
                        .put("parameter_count", layout.totalSize())
                        .set(RunTokenizer.STATE_FIELD, RunTokenizer.record(tokenizer)));
    }

    private static void writeConfig(Path runDir, String tokenizer, int seqLen) throws IOException {
        Files.createDirectories(runDir);
        Files.writeString(
                runDir.resolve("config.json"),
                "{\"seed\":7,\"model\":{\"preset\":\"tiny\"},\"data\":{\"tokenizer\":\""
                        + tokenizer.replace("\\", "\\\\") + "\",\"validation-fraction\":0.02},\"train\":{\"seq-len\":"
                        + seqLen + "}}\n");
    }

    private static Path checkpoint(
            Path runDir,
            long step,
            float[] weights,
            ParameterLayout layout,
            com.fasterxml.jackson.databind.node.ObjectNode extra)
            throws IOException {
        CheckpointStore store = new CheckpointStore(new RunStorage(runDir.toString(), new Configuration()), layout);
        float[] zeros = new float[weights.length];
        Map<String, float[]> moments = new LinkedHashMap<>();
        moments.put("exp_avg", zeros);
        moments.put("exp_avg_sq", zeros);
        RunState state = new RunState(step, step * 1000, null, null, null);
        return Path.of(store.write(
                        state,
                        extra.put("model_preset", "tiny").put("seed", 7).put("config_digest", "fixture"),
                        store.pointWriter(new TrainingPoint(weights, moments, step), null))
                .toUri());
    }
}
