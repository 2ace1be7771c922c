package dev.pacer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ParameterLayoutTest {

    @Test
    void presetsHaveTheDocumentedSizes() {
        // closed form by hand for tiny: 257*64 + 64*64 + 2*(12*64*64 + 13*64) + 2*64
        assertEquals(
                257 * 64 + 64 * 64 + 2 * (12 * 4096 + 832) + 128,
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
    void packKeepsTheMarkedTensorsAndAddPackedPutsThemBack() {
        ParameterLayout layout = new ParameterLayout(ModelPreset.TINY.config(257));
        int n = layout.tensors().size();
        boolean[] keep = new boolean[n];
        keep[1] = true;
        keep[n - 1] = true;
        TensorSpec a = layout.tensors().get(1);
        TensorSpec b = layout.tensors().get(n - 1);
        float[] full = new float[layout.totalSize()];
        for (int i = 0; i < full.length; i++) {
            full[i] = i;
        }
        float[] packed = layout.pack(full, keep);
        assertEquals(a.size() + b.size(), packed.length);
        assertEquals(a.offset(), packed[0]);
        assertEquals(a.offset() + a.size() - 1, packed[a.size() - 1]);
        assertEquals(b.offset(), packed[a.size()]);
        assertEquals(layout.totalSize() - 1, packed[packed.length - 1]); // the last tensor ends the vector

        float[] sum = new float[layout.totalSize()];
        java.util.Arrays.fill(sum, 0.5f);
        layout.addPacked(packed, keep, sum);
        for (int i = 0; i < sum.length; i++) {
            boolean kept = (i >= a.offset() && i < a.offset() + a.size()) || i >= b.offset();
            assertEquals(kept ? i + 0.5f : 0.5f, sum[i], "entry " + i);
        }
        assertThrows(IllegalArgumentException.class, () -> layout.pack(full, new boolean[n - 1]));
        assertThrows(IllegalArgumentException.class, () -> layout.addPacked(new float[3], keep, sum));
    }

    @Test
    void badShapesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new GptConfig(257, 16, 30, 2, 4, 1e-5));
        assertThrows(IllegalArgumentException.class, () -> ModelPreset.fromId("huge"));
    }
}
