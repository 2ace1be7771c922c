package dev.pacer.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.model.GptConfig;
import dev.pacer.model.ParameterLayout;
import dev.pacer.model.TensorSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The float64 reference of core/src/test/python/make_gpt_golden.py (golden/gpt-micro.json): its
 * model, the weights and tokens its formulas define, and its results.
 */
final class GoldenGpt {

    final JsonNode json;
    final ParameterLayout layout;
    final float[] weights;

    private GoldenGpt(JsonNode json) {
        this.json = json;
        JsonNode c = json.get("config");
        this.layout = new ParameterLayout(new GptConfig(
                c.get("vocab").asInt(),
                c.get("context").asInt(),
                c.get("width").asInt(),
                c.get("layers").asInt(),
                c.get("heads").asInt(),
                c.get("eps").asDouble()));
        this.weights = new float[layout.totalSize()];
        for (TensorSpec t : layout.tensors()) {
            boolean norm = t.name().endsWith("ln_1.weight")
                    || t.name().endsWith("ln_2.weight")
                    || t.name().endsWith("ln_f.weight");
            for (int i = t.offset(); i < t.offset() + t.size(); i++) {
                weights[i] = (float) (0.05 * Math.sin(0.37 * i + 1.0) + (norm ? 1.0 : 0.0));
            }
        }
    }

    static GoldenGpt load() {
        try (InputStream in = GoldenGpt.class.getResourceAsStream("/golden/gpt-micro.json")) {
            return new GoldenGpt(new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The token batch (B, T) of the logits. */
    long[][] tokens() {
        JsonNode rows = json.get("tokens");
        long[][] out = new long[rows.size()][];
        for (int b = 0; b < rows.size(); b++) {
            out[b] = new long[rows.get(b).size()];
            for (int t = 0; t < out[b].length; t++) {
                out[b][t] = rows.get(b).get(t).asLong();
            }
        }
        return out;
    }

    /** The same batch as training sequences: the loss predicts tokens 1..T-1 of each row. */
    List<int[]> sequences() {
        List<int[]> seqs = new ArrayList<>();
        for (long[] row : tokens()) {
            int[] s = new int[row.length];
            for (int i = 0; i < row.length; i++) {
                s[i] = (int) row[i];
            }
            seqs.add(s);
        }
        return seqs;
    }

    /** The reference gradient of {@code tensor} rounded to float32 (grad_f32). */
    float[] gradient(TensorSpec tensor) {
        byte[] raw = Base64.getDecoder()
                .decode(json.get("grad_f32").get(tensor.name()).asText());
        float[] out = new float[tensor.size()];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
