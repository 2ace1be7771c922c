package dev.pacer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.config.ConfigError;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdaBeliefTest {

    private static AdaBelief fromGolden(GoldenRun run) {
        return new AdaBelief(
                run.size(),
                run.hyper("beta1"),
                run.hyper("beta2"),
                run.hyper("eps"),
                run.hyper().get("rectify").asBoolean());
    }

    @Test
    void rectifiedMatchesTheReferenceTrajectory() {
        // beta2 = 0.999: steps 1-5 are momentum steps (rho_t < 5), steps 6-8 rectified adaptive steps.
        GoldenRun run = GoldenRun.load("adabelief");
        run.assertMatches(fromGolden(run), null);
    }

    @Test
    void unrectifiedMatchesTheReferenceTrajectory() {
        GoldenRun run = GoldenRun.load("adabelief_plain");
        run.assertMatches(fromGolden(run), null);
    }

    @Test
    void rectifiedStartsWithFiveMomentumSteps() {
        // While rho_t < 5 the step is lr * m / bc1, unnormalised: a constant gradient g moves p by lr * g.
        AdaBelief opt = new AdaBelief(1, 0.9, 0.999, 1e-16, true);
        float[] w = {0f};
        List<ParamSlice> s = List.of(new ParamSlice("p", 0, 1, 0.01, 0.0));
        for (int t = 1; t <= 5; t++) {
            float before = w[0];
            opt.step(w, new float[] {100f}, s);
            assertEquals(-1.0, w[0] - before, 1e-5, "step " + t);
        }
        float before = w[0];
        opt.step(w, new float[] {100f}, s);
        // Step 6 (rho_6 = 5.99) is the rectified adaptive step lr * r * m / (sqrt(s) + eps), no longer
        // proportional to the gradient's scale: with r = 0.0098 it is about 3.6e-4 here, not 1.
        float[] state = opt.state().get("exp_avg");
        double bc2 = 1 - Math.pow(0.999, 6);
        double rhoInf = 1999;
        double rho = rhoInf - 12 * Math.pow(0.999, 6) / bc2;
        double r = Math.sqrt(bc2 * (rho - 4) * (rho - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rho))
                / (1 - Math.pow(0.9, 6));
        double expected = -0.01 * r * state[0] / (Math.sqrt(opt.state().get("exp_avg_var")[0]) + 1e-16);
        assertEquals(expected, w[0] - before, 2 * Math.ulp(w[0]), "step 6 (to the float32 rounding of w = -5)");
        assertTrue(Math.abs(w[0] - before) < 1e-3, "step 6 moved by " + (w[0] - before));
    }

    @Test
    void epsIsAddedIntoTheStoredVariance() {
        AdaBelief opt = new AdaBelief(1, 0.9, 0.999, 1e-16, true);
        float[] w = {1f};
        opt.step(w, new float[] {0f}, List.of(new ParamSlice("p", 0, 1, 0.01, 0.0)));
        assertEquals((float) 1e-16, opt.state().get("exp_avg_var")[0]);
        assertEquals(1f, w[0]);
    }

    @Test
    void restoreContinuesBitIdentically() {
        GoldenRun run = GoldenRun.load("adabelief");
        run.assertRestoreContinuesBitIdentically(() -> fromGolden(run), 4);
    }

    @Test
    void validatesAndNames() {
        assertThrows(ConfigError.class, () -> new AdaBelief(1, 0.9, 1.0, 1e-16, true));
        assertThrows(ConfigError.class, () -> new AdaBelief(1, 0.9, 0.999, 0, true));
        assertEquals("adabelief", new AdaBelief(1, 0.9, 0.999, 1e-16, true).name());
    }
}
