package dev.pacer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pacer.config.ConfigError;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdanTest {

    private static Adan fromGolden(GoldenRun run) {
        return new Adan(run.size(), run.hyper("beta1"), run.hyper("beta2"), run.hyper("beta3"), run.hyper("eps"));
    }

    @Test
    void matchesTheReferenceTrajectory() {
        GoldenRun run = GoldenRun.load("adan");
        run.assertMatches(fromGolden(run), null);
    }

    @Test
    void firstStepHasNoGradientDifferenceAndDecayIsProximal() {
        // t = 1: delta = 0, so d = 0 and n = (1 - b3) g^2; m / bc1 = g and sqrt(n / bc3) = |g|:
        // p = (p - lr * sign(g) (approximately, eps aside)) / (1 + lr * wd).
        Adan opt = new Adan(2, 0.98, 0.92, 0.99, 1e-8);
        float[] w = {1f, -2f};
        opt.step(w, new float[] {3f, -0.5f}, List.of(new ParamSlice("p", 0, 2, 0.1, 0.2)));
        assertArrayEquals(new float[] {0f, 0f}, opt.state().get("exp_avg_diff"));
        assertArrayEquals(new float[] {3f, -0.5f}, opt.state().get("prev_grad"));
        assertEquals((1 - 0.1) / 1.02, w[0], 1e-6);
        assertEquals((-2 + 0.1) / 1.02, w[1], 1e-6);
    }

    @Test
    void restoreContinuesBitIdentically() {
        GoldenRun run = GoldenRun.load("adan");
        for (int split : new int[] {1, 5}) {
            run.assertRestoreContinuesBitIdentically(() -> fromGolden(run), split);
        }
    }

    @Test
    void validatesAndNames() {
        assertThrows(ConfigError.class, () -> new Adan(1, 0.98, 0.92, 1.0, 1e-8));
        assertThrows(ConfigError.class, () -> new Adan(1, 0.98, 0.92, 0.99, -1));
        assertEquals("adan", new Adan(1, 0.98, 0.92, 0.99, 1e-8).name());
    }
}
