package dev.pacer.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.model.ParameterLayout;
import dev.pacer.model.TensorSpec;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pacer's float32 forward/backward against an independent float64 torch implementation
 * (core/src/test/python/make_gpt_golden.py, golden file golden/gpt-micro.json).
 */
class GptForwardTest {

    /** float32 against float64: logits and per-element gradients agree to this absolute error. */
    private static final double TOL = 1e-4;

    private static GoldenGpt reference;
    private static JsonNode golden;
    private static ParameterLayout layout;
    private static float[] weights;
    private static ModelReplica replica;

    @BeforeAll
    static void load() {
        reference = GoldenGpt.load();
        golden = reference.json;
        layout = reference.layout;
        weights = reference.weights;
        replica = new ModelReplica(layout, Device.cpu());
    }

    @AfterAll
    static void close() {
        replica.close();
    }

    @Test
    void layoutMatchesReferenceOrderAndClosedFormCount() {
        JsonNode order = golden.get("tensor_order");
        assertEquals(order.size(), layout.tensors().size());
        for (int i = 0; i < order.size(); i++) {
            TensorSpec t = layout.tensors().get(i);
            assertEquals(order.get(i).get("name").asText(), t.name());
            JsonNode shape = order.get(i).get("shape");
            assertEquals(shape.size(), t.shape().length, t.name());
            for (int d = 0; d < shape.size(); d++) {
                assertEquals(shape.get(d).asLong(), t.shape()[d], t.name());
            }
        }
        assertEquals(golden.get("parameter_count").asLong(), layout.totalSize());
        assertEquals(layout.config().parameterCount(), layout.totalSize());
    }

    @Test
    void logitsMatchReference() {
        long[][] tokens = tokens();
        float[] logits = replica.logits(weights, tokens);
        JsonNode expected = golden.get("logits");
        int vocab = layout.config().vocab();
        int time = tokens[0].length;
        double worst = 0;
        for (int b = 0; b < tokens.length; b++) {
            for (int t = 0; t < time; t++) {
                for (int v = 0; v < vocab; v++) {
                    double want = expected.get(b).get(t).get(v).asDouble();
                    worst = Math.max(worst, Math.abs(want - logits[(b * time + t) * vocab + v]));
                }
            }
        }
        assertTrue(worst < TOL, "largest logit error " + worst);
    }

    @Test
    void lossAndGradientsMatchReference() {
        List<int[]> seqs = reference.sequences();
        float[] grads = new float[layout.totalSize()];
        // micro-batch of 1: accumulation over two backward passes must equal one batch of 2
        ModelReplica.LossSum sum = replica.gradients(weights, seqs, 1, grads);
        assertEquals(golden.get("token_count").asLong(), sum.tokens());
        assertEquals(golden.get("loss_sum").asDouble(), sum.loss(), 1e-4 * sum.tokens());
        for (TensorSpec t : layout.tensors()) {
            double norm = 0;
            for (int i = t.offset(); i < t.offset() + t.size(); i++) {
                norm += (double) grads[i] * grads[i];
            }
            double want = golden.get("grad_l2_norm").get(t.name()).asDouble();
            assertEquals(want, Math.sqrt(norm), 1e-4 * Math.max(1, want), t.name());
            JsonNode head = golden.get("grad_head").get(t.name());
            for (int i = 0; i < head.size(); i++) {
                assertEquals(head.get(i).asDouble(), grads[t.offset() + i], TOL, t.name() + "[" + i + "]");
            }
        }
        float[] again = new float[layout.totalSize()];
        ModelReplica.LossSum oneBatch = replica.gradients(weights, seqs, 2, again);
        assertEquals(sum.loss(), oneBatch.loss(), 1e-3);
    }

    @Test
    void changingTokenJLeavesEarlierLogitsUnchanged() {
        long[][] tokens = tokens();
        float[] before = replica.logits(weights, tokens);
        int j = 5;
        tokens[0][j] = (tokens[0][j] + 100) % layout.config().vocab();
        float[] after = replica.logits(weights, tokens);
        int vocab = layout.config().vocab();
        int time = tokens[0].length;
        for (int t = 0; t < time; t++) {
            double diff = 0;
            for (int v = 0; v < vocab; v++) {
                diff = Math.max(diff, Math.abs(before[t * vocab + v] - after[t * vocab + v]));
            }
            if (t < j) {
                assertEquals(0.0, diff, 0.0, "position " + t + " saw a later token");
            } else {
                assertTrue(diff > 1e-6, "position " + t + " ignored token " + j);
            }
        }
    }

    private static long[][] tokens() {
        return reference.tokens();
    }
}
