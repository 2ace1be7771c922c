package dev.pacer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.pacer.config.OptimizerSettings;
import dev.pacer.model.ModelPreset;
import dev.pacer.model.ParameterLayout;
import dev.pacer.model.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimizersTest {

    /** reference.conf's optimizer settings with {@code name} selected (Prodigy at its own lr 1). */
    static OptimizerSettings settings(String name) {
        String lr = name.equals("prodigy") ? "\npacer.train.lr = 1.0" : "";
        return OptimizerSettings.from(ConfigFactory.parseString("pacer.optimizer.name = \"" + name + "\"" + lr)
                .withFallback(ConfigFactory.defaultReference())
                .resolve()
                .getConfig("pacer"));
    }

    @Test
    void buildsEveryOptimizerAndEachTrainsTheTinyModelLayout() {
        // Every optimizer, with its defaults, on the real tensor layout (shapes from ParamSlice.of): two
        // steps change the weights, the state names its entries, and a restore continues exactly.
        ParameterLayout layout = new ParameterLayout(ModelPreset.TINY.config(257));
        int n = layout.totalSize();
        float[] init = layout.initialWeights(7);
        for (OptimizerSpec spec : Optimizers.REGISTERED) {
            String name = spec.id();
            OptimizerSettings s = settings(name);
            Optimizer opt = Optimizers.create(s, n);
            assertEquals(name, opt.name());
            List<ParamSlice> slices = new ArrayList<>();
            for (TensorSpec t : layout.tensors()) {
                slices.add(ParamSlice.of(t, name.equals("prodigy") ? 1.0 : 1e-3, s.weightDecayFor(t)));
            }
            float[] w = init.clone();
            for (int step = 0; step < 2; step++) {
                opt.step(w, gradient(w, step), slices);
            }
            assertTrue(java.util.Arrays.mismatch(init, w) >= 0, name + " moved the weights");
            Map<String, float[]> state = opt.state();
            for (Map.Entry<String, float[]> e : state.entrySet()) {
                assertEquals(n, e.getValue().length, name + " state " + e.getKey() + " has the model's size");
                assertTrue(e.getKey().matches("[a-z0-9_]+"), name + " state name " + e.getKey());
            }
            // a checkpoint holds the evaluation weights and the state: a restored optimizer must
            // continue exactly as the uninterrupted one (Schedule-Free through its inverse map)
            float[] saved = opt.evaluationWeights(w).clone();
            for (int step = 2; step < 4; step++) {
                opt.step(w, gradient(w, step), slices);
            }
            Optimizer again = Optimizers.create(s, n);
            again.restore(state, 2);
            float[] y = again.trainingWeights(saved);
            for (int step = 2; step < 4; step++) {
                again.step(y, gradient(y, step), slices);
            }
            assertArrayEquals(w, y, name + ": resumed from its state, it must step as before");
            assertArrayEquals(opt.evaluationWeights(w), again.evaluationWeights(y), name + ": evaluation weights");
        }
    }

    /** A gradient that depends on the weights, so a resume from the wrong point shows. */
    private static float[] gradient(float[] w, int step) {
        float[] g = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            g[i] = (float) (0.01 * Math.sin(0.37 * i + step) + 0.5 * w[i]);
        }
        return g;
    }

    @Test
    void paramSliceShapes() {
        ParameterLayout layout = new ParameterLayout(ModelPreset.TINY.config(257));
        TensorSpec t = layout.tensor("h.0.attn.c_attn.weight");
        ParamSlice s = ParamSlice.of(t, 0.1, 0.2);
        assertEquals(t.shape()[0], s.rows());
        assertEquals(2, s.rank());
        assertEquals(s, ParamSlice.of(t, 0.1, 0.2));
        assertArrayEquals(t.shape(), s.shape());
        s.shape()[0] = 99;
        assertEquals(t.shape()[0], s.rows(), "shape() is a copy");
        assertTrue(assertThrows(
                        IllegalArgumentException.class, () -> new ParamSlice("x", 0, 6, 0.1, 0, new long[] {2, 4}))
                .getMessage()
                .contains("6"));
        ParamSlice bare = new ParamSlice("x", 0, 6, 0.1, 0);
        assertTrue(!bare.hasShape());
        assertThrows(IllegalStateException.class, bare::rows);
        assertNotEquals(bare, new ParamSlice("x", 0, 6, 0.1, 0, new long[] {6}));
    }
}
