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

    private static OptimizerSettings settings(String name) {
        String lr = name.equals("prodigy") ? "\npacer.train.lr = 1.0" : "";
        return OptimizerSettings.from(ConfigFactory.parseString("pacer.optimizer.name = \"" + name + "\"" + lr)
                .withFallback(ConfigFactory.defaultReference())
                .resolve()
                .getConfig("pacer"));
    }

    @Test
    void buildsEveryOptimizerAndEachTrainsTheTinyModelLayout() {
        // Every optimizer, with its defaults, on the real tensor layout (shapes from ParamSlice.of): two
        // steps change the weights, the state round-trips and names its entries.
        ParameterLayout layout = new ParameterLayout(ModelPreset.TINY.config(257));
        int n = layout.totalSize();
        float[] init = layout.initialWeights(7);
        for (String name : OptimizerSettings.NAMES) {
            OptimizerSettings s = settings(name);
            Optimizer opt = Optimizers.create(s, n);
            assertEquals(name, opt.name());
            List<ParamSlice> slices = new ArrayList<>();
            for (TensorSpec t : layout.tensors()) {
                slices.add(ParamSlice.of(t, name.equals("prodigy") ? 1.0 : 1e-3, s.weightDecayFor(t)));
            }
            float[] w = init.clone();
            for (int step = 0; step < 2; step++) {
                float[] g = new float[n];
                for (int i = 0; i < n; i++) {
                    g[i] = (float) (0.01 * Math.sin(0.37 * i + step) + 0.5 * w[i]);
                }
                opt.step(w, g, slices);
            }
            assertTrue(java.util.Arrays.mismatch(init, w) >= 0, name + " moved the weights");
            Map<String, float[]> state = opt.state();
            for (Map.Entry<String, float[]> e : state.entrySet()) {
                assertEquals(n, e.getValue().length, name + " state " + e.getKey() + " has the model's size");
                assertTrue(e.getKey().matches("[a-z0-9_]+"), name + " state name " + e.getKey());
            }
            Optimizer again = Optimizers.create(s, n);
            again.restore(state, opt.stepCount());
            float[] y = again.trainingWeights(opt.evaluationWeights(w));
            assertArrayEquals(w, y, name + ": training weights from the evaluation weights");
        }
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
