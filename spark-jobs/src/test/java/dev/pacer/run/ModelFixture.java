package dev.pacer.run;

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
 * as a pretrain run would leave it (config.json with the byte tokenizer and a sequence length).
 */
public final class ModelFixture {

    public static final int VOCAB = 257;
    public static final ParameterLayout LAYOUT = new ParameterLayout(ModelPreset.TINY.config(VOCAB));

    private ModelFixture() {}

    /**
     * Weights {@code 0.05·sin(0.37·g + 1)} for flat index g, plus 1 for LayerNorm gains: the
     * formula of core's golden test (make_gpt_golden.py), here over the tiny preset.
     */
    public static float[] weights() {
        float[] w = new float[LAYOUT.totalSize()];
        for (TensorSpec t : LAYOUT.tensors()) {
            boolean gain = t.name().endsWith("ln_1.weight")
                    || t.name().endsWith("ln_2.weight")
                    || t.name().endsWith("ln_f.weight");
            for (int i = t.offset(); i < t.offset() + t.size(); i++) {
                w[i] = (float) (0.05 * Math.sin(0.37 * i + 1.0) + (gain ? 1.0 : 0.0));
            }
        }
        return w;
    }

    /** Writes {@code runDir} with a committed checkpoint at {@code step}; returns the checkpoint directory. */
    public static Path write(Path runDir, long step, float[] weights, int seqLen) throws IOException {
        Files.createDirectories(runDir);
        Files.writeString(
                runDir.resolve("config.json"),
                "{\"seed\":7,\"model\":{\"preset\":\"tiny\"},"
                        + "\"data\":{\"tokenizer\":\"byte\",\"validation-fraction\":0.02},\"train\":{\"seq-len\":"
                        + seqLen + "}}\n");
        CheckpointStore store = new CheckpointStore(new RunStorage(runDir.toString(), new Configuration()), LAYOUT);
        float[] zeros = new float[weights.length];
        Map<String, float[]> moments = new LinkedHashMap<>();
        moments.put("exp_avg", zeros);
        moments.put("exp_avg_sq", zeros);
        RunState state = new RunState(step, step * 1000, null, null, null);
        return Path.of(store.write(
                        state,
                        JsonLinesLog.row()
                                .put("model_preset", "tiny")
                                .put("seed", 7)
                                .put("config_digest", "fixture"),
                        store.pointWriter(new TrainingPoint(weights, moments, step), null))
                .toUri());
    }
}
