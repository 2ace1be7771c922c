package dev.pacer.adalrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdaLrsControllerTest {

    private static AdaLrsSettings settings(int window, double phaseStart, double phaseEnd) {
        return new AdaLrsSettings(
                true,
                window,
                3,
                2,
                0.99,
                phaseStart,
                phaseEnd,
                1e-3,
                1e3,
                1.0,
                2.0,
                AdaLrsSettings.Trend.INVERSE_TIME,
                true,
                AdaLrsSettings.Comparison.VELOCITY,
                0.15,
                false,
                true,
                window,
                false,
                0,
                false,
                false,
                0.5,
                false,
                0,
                3.162);
    }

    @Test
    void velocityIsMinusTheLeastSquaresSlopeWithItsStandardError() {
        LossWindow w = new LossWindow();
        double[] losses = {5.0, 4.8, 4.7, 4.4, 4.3};
        for (int i = 0; i < losses.length; i++) {
            w.add(10 + i, losses[i]);
        }
        // by hand: t̄ = 12, L̄ = 4.64, Σ(t-t̄)² = 10, Σ(t-t̄)(L-L̄) = -1.8 → slope -0.18;
        // residuals 0, 0.02 ... SSE = 0.016 → stderr = sqrt(0.016 / 3 / 10)
        LossWindow.Velocity v = w.velocity();
        assertEquals(0.18, v.value(), 1e-12);
        double sse = 0;
        for (int i = 0; i < 5; i++) {
            double fit = 4.64 - 0.18 * (i - 2);
            sse += (losses[i] - fit) * (losses[i] - fit);
        }
        assertEquals(Math.sqrt(sse / 3 / 10), v.error(), 1e-12);
        assertEquals(12.0, v.center(), 1e-12);
    }

    @Test
    void findsTheOptimumFromThirtyTimesTooSmallAndTenTimesTooLarge() {
        SimulatedLandscape.assertRecoversFromThirtyTimesTooSmallAndTenTimesTooLarge(settings(20, 0.05, 0.8), 0);
    }

    @Test
    void errorShrinksGeometricallyOverRounds() {
        // log-distance to the optimum after each decision, from 30x too small, averaged over seeds
        int rounds = 10;
        double[] meanLogError = new double[rounds];
        int seeds = 10;
        for (long seed = 1; seed <= seeds; seed++) {
            SimulatedLandscape.Run r = SimulatedLandscape.run(
                    settings(20, 0.05, 0.8), SimulatedLandscape.OPTIMUM / 30, 4000, 100, 0.0005, 500, seed);
            for (int i = 0; i < rounds; i++) {
                double level = i < r.levels().size() ? r.levels().get(i) : r.finalLevel();
                meanLogError[i] += Math.abs(Math.log(level / SimulatedLandscape.OPTIMUM)) / seeds;
            }
        }
        // Far from the optimum every round accepts a trial at α′ ≈ 3, so the distance ratio
        // (level / optimum) must shrink geometrically: measured 30 -> 11.2 -> 3.8 -> 1.3 over 10
        // seeds. Require at least a factor 2.5 per round for the first three rounds.
        double previous = Math.log(30);
        for (int i = 0; i < 3; i++) {
            assertTrue(
                    meanLogError[i] <= previous - Math.log(2.5),
                    "round " + (i + 1) + ": " + java.util.Arrays.toString(meanLogError));
            previous = meanLogError[i];
        }
        // Near it, accept/reject alternate with shrinking factors: within a factor 2 on average
        double near = 0;
        for (int i = 3; i < rounds; i++) {
            near += meanLogError[i] / (rounds - 3);
        }
        assertTrue(near < Math.log(2), "rounds 4-10: " + java.util.Arrays.toString(meanLogError));
    }

    @Test
    void nonFiniteLossRollsBackAndDownscalesAtOnce() {
        AdaLrsController c = new AdaLrsController(settings(5, 0.0, 1.0), 0, 1000);
        c.observe(1, 5.0); // search starts: snapshot
        assertEquals(AdaLrsController.Action.ROLLBACK, c.observe(2, Double.NaN).action());
        assertEquals(0.5, c.level(), 1e-12);
        assertEquals(
                AdaLrsController.Action.ROLLBACK,
                c.observe(3, Double.POSITIVE_INFINITY).action());
        assertTrue(c.level() < 0.5);
        AdaLrsController fresh = new AdaLrsController(settings(5, 0.5, 1.0), 0, 1000);
        assertEquals(AdaLrsController.Action.FAIL, fresh.observe(1, Double.NaN).action());
    }

    @Test
    void windowAboveTheRunMaximumStopsUpscaling() {
        AdaLrsController c = new AdaLrsController(settings(5, 0.0, 1.0), 0, 1000);
        long step = 1;
        c.observe(step++, 5.0); // search starts
        double loss = 5;
        for (int i = 0; i < 5; i++) {
            c.observe(step++, loss -= 0.1); // base window: descending, mean 4.7
        }
        // trial window (after one settling step) far above: its mean exceeds every earlier window's
        AdaLrsController.Decision last = null;
        for (int i = 0; i < 6; i++) {
            last = c.observe(step++, 9.0 + 0.01 * i);
        }
        assertTrue(last.event().get("upscaling_stopped").asBoolean(), String.valueOf(last.event()));
        assertEquals("reject", last.event().get("outcome").asText());
        for (; step < 300; step++) {
            c.observe(step, loss -= 0.01);
            assertTrue(c.level() <= 1.0, "upscaled at step " + step);
        }
    }

    @Test
    void lossRisingOverTwoWindowsDownscales() {
        AdaLrsSettings s = settings(5, 0.0, 1.0);
        AdaLrsController c = new AdaLrsController(s, 0, 1000);
        c.observe(1, 3.0); // search starts with a base window
        double loss = 3;
        String outcome = null;
        double levelBefore = Double.NaN;
        for (long step = 2; step < 200 && !"rising".equals(outcome); step++) {
            loss += 0.1; // rising every step, in every window
            levelBefore = c.level();
            AdaLrsController.Decision d = c.observe(step, loss);
            if (d.event() != null) {
                outcome = d.event().get("outcome").asText();
            }
        }
        assertEquals("rising", outcome);
        assertTrue(c.level() < levelBefore, "level " + c.level() + " was " + levelBefore);
    }

    @Test
    void sameInputsSameDecisionsAndStateRoundTripsThroughJson() throws Exception {
        SimulatedLandscape.Run a = SimulatedLandscape.run(settings(10, 0.05, 0.8), 0.001, 1500, 50, 0.0005, 300, 7);
        SimulatedLandscape.Run b = SimulatedLandscape.run(settings(10, 0.05, 0.8), 0.001, 1500, 50, 0.0005, 300, 7);
        assertEquals(a.levels(), b.levels());
        assertEquals(a.outcomes(), b.outcomes());
        // a controller restored mid-run from its JSON decides exactly as the original
        AdaLrsSettings s = settings(10, 0.0, 1.0);
        AdaLrsController one = new AdaLrsController(s, 0, 500);
        AdaLrsController two = new AdaLrsController(s, 0, 500);
        ObjectMapper json = new ObjectMapper();
        double loss = 8;
        for (long step = 1; step <= 500; step++) {
            loss -= 0.01 * Math.sin(step * 0.1) + 0.005;
            if (step == 137) {
                // through the JSON a checkpoint stores
                String saved = json.writeValueAsString(one.state());
                two.restore(json.readValue(saved, AdaLrsState.class));
            }
            AdaLrsController.Decision d1 = one.observe(step, loss);
            if (step >= 137) {
                AdaLrsController.Decision d2 = two.observe(step, loss);
                assertEquals(d1.action(), d2.action(), "step " + step);
                assertEquals(one.level(), two.level(), 0.0, "step " + step);
                assertEquals(String.valueOf(d1.event()), String.valueOf(d2.event()), "step " + step);
            }
        }
        assertTrue(List.of("outside", "base", "trial").contains(one.phase()));
    }
}
