package dev.pacer.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.model.TensorSpec;
import dev.pacer.transfer.Bf16Codec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * bf16 compute of the micro model against the float64 reference of make_gpt_golden.py. The
 * tolerances are derived there, not fitted here: bf16 keeps 8 significant bits, so each tensor
 * bf16 compute rounds (and each gradient arriving at one) moves by at most 2^-8 of itself; the
 * script weights those errors by float64 sensitivities into an error scale per checked quantity,
 * and the tolerance is lambda (6: Hoeffding, 3e-8 chance per quantity under independent rounding
 * errors) x 1.25 (second-order terms) x that scale. The bound does not depend on which kernel
 * computes, so it holds on any CPU, with or without a native bf16 path.
 */
class Bf16ComputeTest {

    private static GoldenGpt reference;
    private static JsonNode bf16;
    private static double tolerancePerScale;
    private static ModelReplica replica;

    @BeforeAll
    static void load() {
        reference = GoldenGpt.load();
        bf16 = reference.json.get("bf16");
        assertEquals(Math.scalb(1.0, -8), bf16.get("unit_roundoff").asDouble(), "bf16 keeps 8 significant bits");
        tolerancePerScale =
                bf16.get("lambda").asDouble() * bf16.get("second_order").asDouble();
        replica = new ModelReplica(reference.layout, Device.cpu(), Precision.BF16);
    }

    @AfterAll
    static void close() {
        replica.close();
    }

    @Test
    void logitsAreWithinTheDerivedToleranceAndNotFp32s() {
        long[][] tokens = reference.tokens();
        float[] logits = replica.logits(reference.weights, tokens);
        float[] fp32;
        try (ModelReplica exact = new ModelReplica(reference.layout, Device.cpu())) {
            fp32 = exact.logits(reference.weights, tokens);
        }
        JsonNode want = reference.json.get("logits");
        JsonNode scale = bf16.get("logits");
        int vocab = reference.layout.config().vocab();
        int time = tokens[0].length;
        double worstRatio = 0;
        double largestFromFp32 = 0;
        for (int b = 0; b < tokens.length; b++) {
            for (int t = 0; t < time; t++) {
                for (int v = 0; v < vocab; v++) {
                    int i = (b * time + t) * vocab + v;
                    double error =
                            Math.abs(logits[i] - want.get(b).get(t).get(v).asDouble());
                    worstRatio = Math.max(
                            worstRatio, error / scale.get(b).get(t).get(v).asDouble());
                    largestFromFp32 = Math.max(largestFromFp32, Math.abs(logits[i] - fp32[i]));
                }
            }
        }
        System.out.printf(
                "bf16 logits: largest error %.3f error scales (tolerance %.2f)%n", worstRatio, tolerancePerScale);
        assertTrue(worstRatio <= tolerancePerScale, "largest logit error " + worstRatio + " error scales");
        // fp32 agrees with the reference to 1e-4 (GptForwardTest); bf16's roundings of ~2^-9 of
        // values near 1 must show, or the replica did not compute in bf16
        assertTrue(largestFromFp32 > 1e-3, "bf16 logits within " + largestFromFp32 + " of fp32's");
    }

    /** Micro-batches of 1 and 2: gradients accumulate over backward passes in fp32. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void lossAndGradientProjectionsAreWithinTheDerivedTolerance(int microBatch) {
        float[] grads = new float[reference.layout.totalSize()];
        ModelReplica.LossSum sum = replica.gradients(reference.weights, reference.sequences(), microBatch, grads);
        assertEquals(reference.json.get("token_count").asLong(), sum.tokens());
        double lossTolerance = tolerancePerScale * bf16.get("loss_sum").asDouble();
        assertEquals(reference.json.get("loss_sum").asDouble(), sum.loss(), lossTolerance);
        double worstProjection = 0;

        for (TensorSpec t : reference.layout.tensors()) {
            for (JsonNode projection : bf16.get("gradient_projections").get(t.name())) {
                double[] r = direction(projection.get("direction").asText(), t);
                double c = 0;
                for (int i = 0; i < t.size(); i++) {
                    c += grads[t.offset() + i] * r[i];
                }
                double tolerance =
                        tolerancePerScale * projection.get("error_scale").asDouble();
                worstProjection = Math.max(
                        worstProjection,
                        Math.abs(c - projection.get("value").asDouble())
                                / projection.get("error_scale").asDouble());
                assertEquals(
                        projection.get("value").asDouble(),
                        c,
                        tolerance,
                        t.name() + " along " + projection.get("direction").asText());
            }
        }
        System.out.printf(
                "bf16 micro-batch %d: loss error %.3f error scales, largest gradient projection error %.3f%n",
                microBatch,
                Math.abs(sum.loss() - reference.json.get("loss_sum").asDouble())
                        / bf16.get("loss_sum").asDouble(),
                worstProjection);
    }

    /**
     * What lets bf16 weights travel between executors without changing a bit of training:
     * rounding to bf16 every tensor {@link GptForward#readOnlyAsComputeCopy} names leaves the loss
     * and every gradient exactly as they were; rounding any other tensor alone changes them (so
     * the list names no tensor the model also reads in fp32).
     */
    @Test
    void onlyTheTensorsReadAsComputeCopiesCanTravelInBf16Unchanged() {
        boolean[] copyOnly = GptForward.readOnlyAsComputeCopy(reference.layout.config());
        assertEquals(reference.layout.tensors().size(), copyOnly.length);
        float[] exactGrads = new float[reference.layout.totalSize()];
        double exactLoss = replica.gradients(reference.weights, reference.sequences(), 2, exactGrads)
                .loss();
        float[] rounded = reference.weights.clone();
        int copies = 0;
        for (int t = 0; t < copyOnly.length; t++) {
            if (copyOnly[t]) {
                roundTensor(rounded, reference.layout.tensors().get(t));
                copies++;
            }
        }
        assertTrue(copies > 0 && copies < copyOnly.length, copies + " of " + copyOnly.length);
        float[] grads = new float[exactGrads.length];
        double loss =
                replica.gradients(rounded, reference.sequences(), 2, grads).loss();
        assertEquals(exactLoss, loss, 0.0, "loss with the compute copies' tensors rounded to bf16");
        assertArrayEquals(exactGrads, grads, 0f, "gradients with the compute copies' tensors rounded to bf16");
        for (int t = 0; t < copyOnly.length; t++) {
            if (!copyOnly[t]) {
                TensorSpec spec = reference.layout.tensors().get(t);
                float[] one = reference.weights.clone();
                roundTensor(one, spec);
                float[] g = new float[exactGrads.length];
                double l = replica.gradients(one, reference.sequences(), 2, g).loss();
                assertTrue(
                        l != exactLoss || !java.util.Arrays.equals(g, exactGrads),
                        spec.name() + " rounded to bf16 changed nothing: it is read only as a compute copy");
            }
        }
    }

    private static void roundTensor(float[] weights, TensorSpec t) {
        boolean changed = false;
        for (int i = t.offset(); i < t.offset() + t.size(); i++) {
            float r = Bf16Codec.decode(Bf16Codec.encode(weights[i]));
            changed |= r != weights[i];
            weights[i] = r;
        }
        assertTrue(changed, t.name() + "'s reference values are bf16 numbers already: the check would be empty");
    }

    /** The directions make_gpt_golden.py projects each gradient on (DIRECTIONS there). */
    private static double[] direction(String formula, TensorSpec t) {
        double[] r = new double[t.size()];
        if (formula.equals("exact")) {
            float[] g = reference.gradient(t);
            for (int i = 0; i < r.length; i++) {
                r[i] = g[i];
            }
            return r;
        }
        for (int i = 0; i < r.length; i++) {
            r[i] = switch (formula) {
                case "sin(1.7*i+0.3)" -> Math.sin(1.7 * i + 0.3);
                case "cos(0.9*i+1.1)" -> Math.cos(0.9 * i + 1.1);
                default -> throw new IllegalArgumentException("unknown direction " + formula);
            };
        }
        return r;
    }
}
