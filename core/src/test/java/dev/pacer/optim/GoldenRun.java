package dev.pacer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One reference trajectory from {@code golden/optimizers.json} (written by
 * {@code core/src/test/python/make_optimizer_golden.py} from the published update rules), and the checks the
 * optimizer tests share: trajectory against the reference, and bit-identical continuation after a
 * checkpoint.
 *
 * <p>Tolerances: the reference computes each step in float64 and rounds what is stored to float32, as Pacer
 * does, so the two can differ only by the float64 operation order, which may change a stored float32 by an
 * ulp now and then (observed: no difference at all, every case bit-identical, when the file was generated).
 * Weights: {@code |a - e| <= 1e-6 |e| + 1e-7} (the weights are
 * of order 0.1, so 1e-7 is 1e-6 of their scale). State vectors: {@code |a - e| <= 1e-6 (|e| + s)} with
 * {@code s} the largest |value| of that vector within the same tensor times 1e-3, so that an entry that is a
 * cancelling sum of large terms keeps a tolerance of its terms' scale while tiny entries of a tensor are
 * still checked to 1e-9 of its largest. Mistakes in a rule (a missing bias correction, coupled instead of
 * decoupled decay, eps placement, a wrong beta) move the weights by 1e-4 relative or more.
 */
final class GoldenRun {

    static final double RTOL = 1e-6;
    static final double PARAM_ATOL = 1e-7;
    static final double STATE_SCALE_FRACTION = 1e-3;

    private static JsonNode all;

    final String name;
    final JsonNode node;

    private GoldenRun(String name, JsonNode node) {
        this.name = name;
        this.node = node;
    }

    static synchronized GoldenRun load(String caseName) {
        if (all == null) {
            try (InputStream in = GoldenRun.class.getResourceAsStream("/golden/optimizers.json")) {
                assertTrue(in != null, "golden/optimizers.json missing from test resources");
                all = new ObjectMapper().readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        JsonNode c = all.get("cases").get(caseName);
        assertTrue(c != null, "no golden case '" + caseName + "'");
        return new GoldenRun(caseName, c);
    }

    int size() {
        return node.get("size").asInt();
    }

    int steps() {
        return node.get("steps").asInt();
    }

    JsonNode hyper() {
        return node.get("hyper");
    }

    double hyper(String key) {
        return node.get("hyper").get(key).asDouble();
    }

    float[] initialParams() {
        return floats(node.get("initial_params"));
    }

    float[] grads(int t) {
        return floats(node.get("grads").get(t));
    }

    float[] paramsAfter(int t) {
        return floats(node.get("params_after_step").get(t));
    }

    /** The slices of step {@code t} (0-based), with their shapes, learning rates and weight decays. */
    List<ParamSlice> slices(int t) {
        List<ParamSlice> out = new ArrayList<>();
        JsonNode lr = node.get("lr").get(t);
        int k = 0;
        for (JsonNode s : node.get("slices")) {
            long[] shape = new long[s.get("shape").size()];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = s.get("shape").get(d).asLong();
            }
            out.add(new ParamSlice(
                    s.get("name").asText(),
                    s.get("offset").asInt(),
                    s.get("length").asInt(),
                    lr.get(k++).asDouble(),
                    s.get("weight_decay").asDouble(),
                    shape));
        }
        return out;
    }

    Map<String, float[]> state() {
        Map<String, float[]> out = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : node.get("state").properties()) {
            out.put(e.getKey(), floats(e.getValue()));
        }
        return out;
    }

    static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }

    /** Observes the optimizer after each step (0-based step index), e.g. to check diagnostics. */
    interface AfterStep {
        void check(int t, Optimizer opt, float[] weights);
    }

    /**
     * Runs the reference inputs through {@code opt} and checks the weights after every step and the final
     * state (same names, values within tolerance).
     */
    void assertMatches(Optimizer opt, AfterStep after) {
        float[] w = initialParams();
        for (int t = 0; t < steps(); t++) {
            opt.step(w, grads(t), slices(t));
            assertWeightsClose(paramsAfter(t), w, name + ": weights after step " + (t + 1));
            if (after != null) {
                after.check(t, opt, w);
            }
        }
        assertEquals(steps(), opt.stepCount());
        Map<String, float[]> expected = state();
        Map<String, float[]> actual = opt.state();
        assertEquals(expected.keySet(), actual.keySet(), name + ": state names");
        for (String key : expected.keySet()) {
            assertStateClose(expected.get(key), actual.get(key), name + ": state '" + key + "'");
        }
    }

    static void assertWeightsClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            double tol = RTOL * Math.abs(e) + PARAM_ATOL;
            assertTrue(
                    Math.abs(a - e) <= tol,
                    what + " [" + i + "]: expected " + e + " but was " + a + " (|diff| " + Math.abs(a - e) + " > tol "
                            + tol + ")");
        }
    }

    void assertStateClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (ParamSlice s : slices(0)) {
            double max = 0;
            for (int i = s.offset(); i < s.end(); i++) {
                max = Math.max(max, Math.abs(expected[i]));
            }
            for (int i = s.offset(); i < s.end(); i++) {
                double e = expected[i];
                double a = actual[i];
                double tol = RTOL * (Math.abs(e) + STATE_SCALE_FRACTION * max);
                assertTrue(
                        Math.abs(a - e) <= tol,
                        what + " [" + i + "]: expected " + e + " but was " + a + " (|diff| " + Math.abs(a - e)
                                + " > tol " + tol + ")");
            }
        }
    }

    /**
     * Runs all steps straight, and again with a checkpoint after {@code split} steps: state() and the
     * evaluation weights go into a fresh optimizer through restore() and trainingWeights(), as the training
     * loop resumes. Weights, evaluation weights and state must end bit-identical.
     */
    void assertRestoreContinuesBitIdentically(Supplier<Optimizer> factory, int split) {
        Optimizer straight = factory.get();
        float[] w1 = initialParams();
        for (int t = 0; t < steps(); t++) {
            straight.step(w1, grads(t), slices(t));
        }

        Optimizer first = factory.get();
        float[] w2 = initialParams();
        for (int t = 0; t < split; t++) {
            first.step(w2, grads(t), slices(t));
        }
        float[] checkpointWeights = first.evaluationWeights(w2).clone();
        Map<String, float[]> saved = new HashMap<>();
        first.state().forEach((k, v) -> saved.put(k, v.clone()));
        long steps = first.stepCount();
        first = null;

        Optimizer resumed = factory.get();
        resumed.restore(saved, steps);
        assertEquals(split, resumed.stepCount());
        float[] w3 = resumed.trainingWeights(checkpointWeights);
        assertArrayEquals(w2, w3, name + ": training weights rebuilt from the checkpoint");
        for (int t = split; t < steps(); t++) {
            resumed.step(w3, grads(t), slices(t));
        }

        assertArrayEquals(w1, w3, name + ": weights");
        assertArrayEquals(straight.evaluationWeights(w1), resumed.evaluationWeights(w3), name + ": evaluation weights");
        Map<String, float[]> a = straight.state();
        Map<String, float[]> b = resumed.state();
        assertEquals(a.keySet(), b.keySet());
        for (String key : a.keySet()) {
            assertArrayEquals(a.get(key), b.get(key), name + ": state '" + key + "'");
        }
        assertEquals(straight.stepCount(), resumed.stepCount());
    }
}
