package dev.pacer.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.pacer.model.GptConfig;
import dev.pacer.model.ParameterKind;
import dev.pacer.model.ParameterLayout;
import dev.pacer.model.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Frozen tensors (Hi-DLR's parameter-efficient mode) get no gradient; the others get the full one. */
class FrozenGradientsTest {

    @Test
    void frozenTensorsGetZeroAndTheRestTheFullGradient() {
        ParameterLayout layout = new ParameterLayout(new GptConfig(13, 8, 8, 2, 2, 1e-5));
        float[] w = layout.initialWeights(5);
        SplittableRandom rng = new SplittableRandom(9);
        List<int[]> seqs = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            int[] seq = new int[7];
            for (int i = 0; i < seq.length; i++) {
                seq[i] = rng.nextInt(13);
            }
            seqs.add(seq);
        }
        boolean[] trainable = new boolean[layout.tensors().size()];
        for (int i = 0; i < trainable.length; i++) {
            ParameterKind k = layout.tensors().get(i).kind();
            trainable[i] = k != ParameterKind.MLP && k != ParameterKind.TOKEN_EMBEDDING;
        }
        float[] full = new float[layout.totalSize()];
        float[] part = new float[layout.totalSize()];
        java.util.Arrays.fill(part, 7f); // stale values must be overwritten
        try (ModelReplica replica = new ModelReplica(layout, Device.cpu())) {
            ModelReplica.LossSum a = replica.gradients(w, seqs, 2, full);
            ModelReplica.LossSum b = replica.gradients(w, seqs, 2, part, trainable);
            assertEquals(a.loss(), b.loss(), 0.0, "freezing does not change the forward pass");
            for (int i = 0; i < trainable.length; i++) {
                TensorSpec t = layout.tensors().get(i);
                double fullNorm = 0;
                for (int j = t.offset(); j < t.offset() + t.size(); j++) {
                    fullNorm += Math.abs(full[j]);
                    if (trainable[i]) {
                        // same graph below the frozen leaves: float32 round-off at most
                        assertEquals(full[j], part[j], 1e-6, t.name());
                    } else {
                        assertEquals(0f, part[j], t.name());
                    }
                }
                assertTrue(fullNorm > 0 || t.kind() == ParameterKind.BIAS, t.name() + " has a gradient when trained");
            }
            assertThrows(IllegalArgumentException.class, () -> replica.gradients(w, seqs, 2, part, new boolean[3]));
        }
    }
}
