package dev.pacer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.config.ConfigError;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScheduleFreeAdamWTest {

    private static ScheduleFreeAdamW fromGolden(GoldenRun run) {
        return new ScheduleFreeAdamW(
                run.size(),
                run.hyper("beta1"),
                run.hyper("beta2"),
                run.hyper("eps"),
                run.hyper("r"),
                run.hyper("weight_lr_power"));
    }

    private static void matches(String caseName) {
        GoldenRun run = GoldenRun.load(caseName);
        run.assertMatches(
                fromGolden(run),
                (t, opt, w) -> GoldenRun.assertWeightsClose(
                        GoldenRun.floats(run.node.get("eval_after_step").get(t)),
                        opt.evaluationWeights(w),
                        caseName + ": averaged weights x after step " + (t + 1)));
    }

    @Test
    void matchesTheReferenceTrajectoryAtYAndX() {
        matches("schedule_free");
    }

    @Test
    void polynomialWeightingMatchesTheReferenceTrajectory() {
        matches("schedule_free_r");
    }

    @Test
    void withAConstantRateXIsTheUniformAverageOfTheZIterates() {
        // r = 0 and a constant lr give c_t = 1/t: x_t = (z_1 + ... + z_t) / t; and y = 0.1 z + 0.9 x.
        ScheduleFreeAdamW opt = new ScheduleFreeAdamW(2, 0.9, 0.999, 1e-8, 0, 2);
        float[] w = {1f, -1f};
        List<ParamSlice> s = List.of(new ParamSlice("p", 0, 2, 0.01, 0.0));
        double[] zSum = new double[2];
        for (int t = 1; t <= 5; t++) {
            opt.step(w, new float[] {0.5f * t, -0.2f}, s);
            float[] z = opt.state().get("z");
            float[] x = opt.evaluationWeights(w);
            for (int i = 0; i < 2; i++) {
                zSum[i] += z[i];
                assertEquals(zSum[i] / t, x[i], 1e-6, "x[" + i + "] at step " + t);
                assertEquals(0.1 * z[i] + 0.9 * x[i], w[i], 1e-6, "y[" + i + "] at step " + t);
            }
        }
    }

    @Test
    void checkpointsHoldXAndResumeRebuildsYExactly() {
        for (String c : new String[] {"schedule_free", "schedule_free_r"}) {
            GoldenRun run = GoldenRun.load(c);
            for (int split : new int[] {1, 4}) {
                run.assertRestoreContinuesBitIdentically(() -> fromGolden(run), split);
            }
        }
        // the evaluation point is x, distinct from the training point y, and a copy
        GoldenRun run = GoldenRun.load("schedule_free");
        ScheduleFreeAdamW opt = fromGolden(run);
        float[] w = run.initialParams();
        assertSame(w, opt.evaluationWeights(w), "before the first step x = y");
        opt.step(w, run.grads(0), run.slices(0));
        opt.step(w, run.grads(1), run.slices(1));
        float[] x = opt.evaluationWeights(w);
        assertNotSame(x, opt.evaluationWeights(w));
        assertTrue(!java.util.Arrays.equals(x, w), "x differs from y");
    }

    @Test
    void aRestoredOptimizerNeedsItsAveragedWeights() {
        GoldenRun run = GoldenRun.load("schedule_free");
        ScheduleFreeAdamW opt = fromGolden(run);
        float[] w = run.initialParams();
        opt.step(w, run.grads(0), run.slices(0));
        Map<String, float[]> state = opt.state();
        ScheduleFreeAdamW resumed = fromGolden(run);
        resumed.restore(state, 1);
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> resumed.step(w, run.grads(1), run.slices(1)));
        assertTrue(e.getMessage().contains("trainingWeights"), e.getMessage());
        assertEquals(1, resumed.stepCount());
        assertArrayEquals(state.get("z"), resumed.state().get("z"));
    }

    @Test
    void validatesAndNames() {
        assertThrows(ConfigError.class, () -> new ScheduleFreeAdamW(1, 1.0, 0.999, 1e-8, 0, 2));
        assertThrows(ConfigError.class, () -> new ScheduleFreeAdamW(1, 0.9, 0.999, 1e-8, -1, 2));
        assertEquals("schedule-free-adamw", new ScheduleFreeAdamW(1, 0.9, 0.999, 1e-8, 0, 2).name());
    }
}
