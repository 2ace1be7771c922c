package dev.pacer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.config.ConfigError;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SgdSaiTest {

    private static SgdSai fromGolden(GoldenRun run) {
        return new SgdSai(
                run.size(),
                run.hyper("momentum"),
                run.hyper("eps"),
                run.hyper().get("normalize").asBoolean());
    }

    private static void matches(String caseName) {
        GoldenRun run = GoldenRun.load(caseName);
        run.assertMatches(fromGolden(run), (t, opt, w) -> {
            List<ParamSlice> slices = run.slices(t);
            for (int k = 0; k < slices.size(); k++) {
                double expected = run.node.get("scales").get(k).asDouble();
                assertEquals(
                        expected,
                        ((SgdSai) opt).scaleOf(slices.get(k)),
                        1e-6 * expected,
                        "scale of " + slices.get(k).name());
            }
        });
    }

    @Test
    void normalisedMatchesTheReferenceTrajectory() {
        matches("sgd_sai");
    }

    @Test
    void rawGsnrMatchesTheReferenceTrajectory() {
        matches("sgd_sai_raw");
    }

    @Test
    void gsnrByHandAndTheLargestScaleIsOne() {
        // Tensor a: g = (1, 2, 3, 4): ||g|| = sqrt(30), std (n - 1) = sqrt(5/3): gsnr = 4.2426...
        // Tensor b: g = (1, 1, 1, 1.5): ||g|| = sqrt(5.25), std = 0.25: gsnr = 9.165...
        SgdSai opt = new SgdSai(8, 0.9, 1e-8, true);
        List<ParamSlice> s = List.of(new ParamSlice("a", 0, 4, 0.1, 0), new ParamSlice("b", 4, 4, 0.1, 0));
        opt.step(new float[8], new float[] {1, 2, 3, 4, 1, 1, 1, 1.5f}, s);
        double a = Math.sqrt(30) / Math.sqrt(5.0 / 3);
        double b = Math.sqrt(5.25) / 0.25;
        assertEquals(a / b, opt.scaleOf(s.get(0)), 1e-6);
        assertEquals(1.0, opt.scaleOf(s.get(1)), 0.0);
    }

    @Test
    void scalesAreFixedAfterTheFirstStep() {
        SgdSai opt = new SgdSai(8, 0.9, 1e-8, true);
        List<ParamSlice> s = List.of(new ParamSlice("a", 0, 4, 0.1, 0), new ParamSlice("b", 4, 4, 0.1, 0));
        float[] w = new float[8];
        opt.step(w, new float[] {1, 2, 3, 4, 1, 1, 1, 1.5f}, s);
        float[] scales = opt.state().get("lr_scale");
        // A second gradient with entirely different statistics (a would now have the higher ratio).
        float[] before = w.clone();
        float[] buf = opt.state().get("momentum_buffer");
        float[] g2 = {5, 5, 5, 5.1f, -3, 7, 0, 1};
        opt.step(w, g2, s);
        assertArrayEquals(scales, opt.state().get("lr_scale"));
        for (int i = 0; i < 8; i++) {
            double b = 0.9 * buf[i] + 0.1 * g2[i];
            assertEquals(before[i] - 0.1 * scales[i] * b, w[i], 1e-6, "element " + i);
        }
    }

    @Test
    void tensorsNotSeenAtTheFirstStepAreRefused() {
        SgdSai opt = new SgdSai(8, 0.9, 1e-8, true);
        float[] w = new float[8];
        opt.step(w, new float[8], List.of(new ParamSlice("a", 0, 4, 0.1, 0)));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> opt.step(w, new float[8], List.of(new ParamSlice("late", 4, 4, 0.1, 0))));
        assertTrue(e.getMessage().contains("'late'"), e.getMessage());
        assertEquals(1, opt.stepCount());
    }

    @Test
    void restoreContinuesBitIdenticallyAndChecksTheScaleVector() {
        GoldenRun run = GoldenRun.load("sgd_sai");
        for (int split : new int[] {1, 4}) {
            run.assertRestoreContinuesBitIdentically(() -> fromGolden(run), split);
        }
        SgdSai opt = fromGolden(run);
        float[] w = run.initialParams();
        opt.step(w, run.grads(0), run.slices(0));
        Map<String, float[]> state = opt.state();
        state.get("lr_scale")[5] += 1f; // no longer one value over tensor "matrix"
        SgdSai resumed = fromGolden(run);
        resumed.restore(state, 1);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> resumed.step(w, run.grads(1), run.slices(1)));
        assertTrue(e.getMessage().contains("lr_scale") && e.getMessage().contains("matrix"), e.getMessage());
    }

    @Test
    void validatesAndNames() {
        assertThrows(ConfigError.class, () -> new SgdSai(1, 1.0, 1e-8, true));
        assertThrows(ConfigError.class, () -> new SgdSai(1, 0.9, 0, true));
        assertEquals("sgd-sai", new SgdSai(1, 0.9, 1e-8, true).name());
    }
}
