package dev.pacer.adalrs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A training run whose per-step loss change is a known convex function of the learning rate:
 * ΔL(η, t) = g(t)·(−a·η + ½·b·η²), optimum η* = a/b, where g(t) = 1/(1 + t/τ) slows descent
 * over time as real training does. The controller sees the loss plus Gaussian batch noise. The controller drives it exactly as the training
 * loop would: snapshots copy the loss, rollbacks restore it, replays swap the two.
 */
final class SimulatedLandscape {

    static final double A = 0.2;
    static final double B = 20.0;
    static final double OPTIMUM = A / B; // η* = 0.01

    record Run(
            List<Double> levels,
            List<String> outcomes,
            double finalLevel,
            double finalLoss,
            int rollbacks,
            long computedSteps) {}

    /**
     * The recovery check: from 1/30x and 10x the optimum, five seeds each (4000 steps,
     * warmup 100, noise 5e-4, τ 500), the level ends within a factor of 2 of the optimum.
     */
    static void assertRecoversFromThirtyTimesTooSmallAndTenTimesTooLarge(AdaLrsSettings settings, double batchNoise) {
        assertRecoversFromThirtyTimesTooSmallAndTenTimesTooLarge(settings, 0.0005, batchNoise);
    }

    /** As above with evaluation noise {@code noise} instead of 5e-4. */
    static void assertRecoversFromThirtyTimesTooSmallAndTenTimesTooLarge(
            AdaLrsSettings settings, double noise, double batchNoise) {
        for (double start : new double[] {1.0 / 30, 10}) {
            for (long seed = 1; seed <= 5; seed++) {
                Run r = run(settings, OPTIMUM * start, 4000, 100, noise, batchNoise, 500, seed);
                double ratio = r.finalLevel() / OPTIMUM;
                assertTrue(
                        ratio > 0.5 && ratio < 2,
                        "start " + start + "x, seed " + seed + ": ended at " + ratio + "x the optimum; decisions "
                                + r.outcomes());
            }
        }
    }

    static Run run(
            AdaLrsSettings settings, double baseLr, long steps, long warmup, double noise, double tau, long seed) {
        return run(settings, baseLr, steps, warmup, noise, 0, tau, seed);
    }

    /**
     * As above, with {@code batchNoise}: a part of the noise fixed by the step (the batch a step
     * sees), so that a replay of the same steps sees it again, as real training on the same
     * batches does; {@code noise} is drawn afresh at every evaluation. Replays and rollbacks with
     * a resume point move the step counter as the training loop does.
     */
    static Run run(
            AdaLrsSettings settings,
            double baseLr,
            long steps,
            long warmup,
            double noise,
            double batchNoise,
            double tau,
            long seed) {
        AdaLrsController c = new AdaLrsController(settings, warmup, steps);
        SplittableRandom rng = new SplittableRandom(seed);
        double loss = 10;
        double snapshot = Double.NaN;
        List<Double> levels = new ArrayList<>();
        List<String> outcomes = new ArrayList<>();
        int rollbacks = 0;
        long computed = 0;
        for (long step = 1; step <= steps; step++) {
            computed++;
            double eta = baseLr * c.level();
            double g = 1.0 / (1.0 + step / tau);
            loss += g * (-A * eta + 0.5 * B * eta * eta);
            double observed = loss + noise * rng.nextGaussian();
            if (batchNoise > 0) {
                observed += batchNoise * new SplittableRandom(seed * 1_000_003L + step).nextGaussian();
            }
            AdaLrsController.Decision d = c.observe(step, observed);
            switch (d.action()) {
                case SNAPSHOT -> snapshot = loss;
                case ROLLBACK -> {
                    loss = snapshot;
                    rollbacks++;
                }
                case REPLAY -> {
                    double branchEnd = loss;
                    loss = snapshot;
                    snapshot = branchEnd;
                }
                case FAIL -> throw new IllegalStateException("diverged at " + step);
                default -> {}
            }
            if (d.resumeAt() >= 0) {
                step = d.resumeAt();
            }
            if (d.event() != null && d.event().has("new_level")) {
                levels.add(d.event().get("new_level").asDouble() * baseLr);
                outcomes.add(d.event().get("outcome").asText());
            }
        }
        return new Run(levels, outcomes, baseLr * c.level(), loss, rollbacks, computed);
    }
}
