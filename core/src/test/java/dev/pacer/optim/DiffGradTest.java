package dev.pacer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pacer.config.ConfigError;
import java.util.List;
import org.junit.jupiter.api.Test;

class DiffGradTest {

    private static DiffGrad fromGolden(GoldenRun run) {
        return new DiffGrad(run.size(), new AdamTerms(run.hyper("beta1"), run.hyper("beta2"), run.hyper("eps"), 0));
    }

    @Test
    void matchesTheReferenceTrajectory() {
        GoldenRun run = GoldenRun.load("diffgrad");
        run.assertMatches(fromGolden(run), null);
    }

    @Test
    void frictionIsHalfForAnUnchangedGradientAndGrowsWithTheChange() {
        // Same gradient twice: xi = sigmoid(0) = 1/2, so diffGrad's second step is half of Adam's (eps aside).
        // A changed gradient gives xi = sigmoid(|change|) > 1/2: the buggy first release had 1/2 always.
        double lr = 0.01;
        DiffGrad dg = new DiffGrad(2, new AdamTerms(0.9, 0.999, 1e-8, 0));
        AdamW adam = new AdamW(2, 0.9, 0.999, 1e-8);
        float[] wd = {0f, 0f};
        float[] wa = {0f, 0f};
        List<ParamSlice> s = List.of(new ParamSlice("p", 0, 2, lr, 0.0));
        dg.step(wd, new float[] {0.3f, 0.3f}, s);
        adam.step(wa, new float[] {0.3f, 0.3f}, s);
        float[] bd = wd.clone();
        float[] ba = wa.clone();
        dg.step(wd, new float[] {0.3f, 2.3f}, s);
        adam.step(wa, new float[] {0.3f, 2.3f}, s);
        assertEquals(0.5 * (wa[0] - ba[0]), wd[0] - bd[0], 2e-8);
        double xi = 1 / (1 + Math.exp(-2.0));
        assertEquals(xi * (wa[1] - ba[1]), wd[1] - bd[1], 2e-8);
        assertEquals(2.3f, dg.state().get("previous_grad")[1]);
    }

    @Test
    void restoreContinuesBitIdentically() {
        GoldenRun run = GoldenRun.load("diffgrad");
        run.assertRestoreContinuesBitIdentically(() -> fromGolden(run), 2);
    }

    @Test
    void validatesAndNames() {
        assertThrows(ConfigError.class, () -> new DiffGrad(1, new AdamTerms(0.9, 0.999, 0, 0)));
        assertEquals("diffgrad", new DiffGrad(1, new AdamTerms(0.9, 0.999, 1e-8, 0)).name());
    }
}
