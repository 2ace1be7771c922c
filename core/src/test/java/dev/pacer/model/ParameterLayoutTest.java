package dev.pacer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ParameterLayoutTest {

    @Test
    void presetsHaveTheDocumentedSizes() {
        // closed form by hand for tiny: 257*64 + 64*64 + 2*(12*64*64 + 13*64) + 2*64
        assertEquals(257 * 64 + 64 * 64 + 2 * (12 * 4096 + 832) + 128,
                new ParameterLayout(ModelPreset.TINY.config(257)).totalSize());
        long tiny = ModelPreset.TINY.config(257).parameterCount();
        long small = ModelPreset.SMALL.config(257).parameterCount();
        long gpt2 = ModelPreset.GPT2_124M.config(50257).parameterCount();
        assertTrue(tiny < 1_000_000, "tiny " + tiny);
        assertTrue(small >= 5_000_000 && small <= 10_000_000, "small " + small);
        assertEquals(124_439_808L, gpt2); // GPT-2 small as published by its reference weights
    }

    @Test
    void tensorsAreContiguousAndCoverTheVector() {
        ParameterLayout layout = new ParameterLayout(ModelPreset.TINY.config(257));
        int next = 0;
        for (TensorSpec t : layout.tensors()) {
            assertEquals(next, t.offset(), t.name());
            next += t.size();
        }
        assertEquals(layout.totalSize(), next);
    }

    @Test
    void initialisationIsSeededAndFollowsGpt2() {
        ParameterLayout layout = new ParameterLayout(ModelPreset.TINY.config(257));
        float[] a = layout.initialWeights(7);
        float[] b = layout.initialWeights(7);
        float[] c = layout.initialWeights(8);
        assertTrue(java.util.Arrays.equals(a, b));
        assertTrue(!java.util.Arrays.equals(a, c));
        TensorSpec ln = layout.tensor("h.0.ln_1.weight");
        assertEquals(1f, a[ln.offset()]);
        TensorSpec bias = layout.tensor("h.1.mlp.c_fc.bias");
        assertEquals(0f, a[bias.offset() + 3]);
        TensorSpec wte = layout.tensor("wte.weight");
        double sq = 0;
        for (int i = wte.offset(); i < wte.offset() + wte.size(); i++) {
            sq += a[i] * a[i];
        }
        assertEquals(0.02, Math.sqrt(sq / wte.size()), 0.002); // N(0, 0.02): sample std within 10%
    }

    @Test
    void badShapesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new GptConfig(257, 16, 30, 2, 4, 1e-5));
        assertThrows(IllegalArgumentException.class, () -> ModelPreset.fromId("huge"));
    }
}
