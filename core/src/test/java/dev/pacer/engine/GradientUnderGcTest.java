package dev.pacer.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import dev.pacer.model.GptConfig;
import dev.pacer.model.ModelPreset;
import dev.pacer.model.ParameterLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Native memory that backward reads must stay alive until backward runs: a tensor whose direct
 * buffer the JVM may collect between forward and backward (a scalar from {@code mul(Number)} once
 * was) makes the gradient depend on when garbage collection runs. Collections forced throughout
 * make such a bug show on nearly every call.
 */
class GradientUnderGcTest {

    @Test
    void gradientsAreBitIdenticalWhileTheCollectorRuns() throws InterruptedException {
        GptConfig cfg = ModelPreset.TINY.config(256);
        ParameterLayout layout = new ParameterLayout(cfg);
        float[] w = layout.initialWeights(11);
        SplittableRandom rng = new SplittableRandom(3);
        List<int[]> seqs = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            int[] seq = new int[cfg.context() + 1];
            for (int i = 0; i < seq.length; i++) {
                seq[i] = rng.nextInt(256);
            }
            seqs.add(seq);
        }
        AtomicBoolean stop = new AtomicBoolean();
        Thread collector = new Thread(() -> {
            while (!stop.get()) {
                System.gc();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        collector.setDaemon(true);
        try (ModelReplica replica = new ModelReplica(layout, Device.cpu())) {
            float[] ref = new float[layout.totalSize()];
            double refLoss = replica.gradients(w, seqs, 2, ref).loss();
            collector.start();
            float[] g = new float[layout.totalSize()];
            int bad = 0;
            for (int call = 0; call < 40; call++) {
                double loss = replica.gradients(w, seqs, 2, g).loss();
                assertEquals(refLoss, loss, 0.0, "loss of call " + call);
                if (!java.util.Arrays.equals(ref, g)) {
                    bad++;
                }
            }
            assertEquals(0, bad, "calls whose gradient differs from the first call's");
        } finally {
            stop.set(true);
            collector.join();
        }
    }
}
