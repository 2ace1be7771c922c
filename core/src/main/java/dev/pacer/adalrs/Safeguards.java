package dev.pacer.adalrs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.adalrs.AdaLrsController.Decision;

/**
 * AdaLRS's safeguards, shared by both comparisons: a window whose mean loss is above the run's
 * post-warmup maximum stops upscaling; two consecutive base windows with significantly rising
 * loss downscale; a non-finite loss with a snapshot in force downscales from the level its branch
 * started at. They work on the controller's state, so a resumed run guards alike.
 */
final class Safeguards {

    private final AdaLrsController c;
    /** Set by the maximum check within a step, reported with that step's decision. */
    private boolean stoppedUpscaling;

    private double lastWindowMean;

    Safeguards(AdaLrsController controller) {
        this.c = controller;
    }

    /**
     * The "loss above the run's maximum" safeguard: a window whose mean loss exceeds the highest
     * single batch loss seen since warmup (normally the first ones) stops upscaling. Comparing
     * single losses with the maximum, or window means with earlier window means, fired on batch
     * noise alone in the LR-recovery sweep and froze the search (docs/adalrs.md).
     */
    void checkAgainstMaximum(long step) {
        AdaLrsState s = c.s;
        if (step <= c.warmupSteps) {
            return;
        }
        double mean = 0;
        double highest = Double.NEGATIVE_INFINITY;
        for (double[] p : s.window) {
            mean += p[1];
            highest = Math.max(highest, p[1]);
        }
        mean /= s.window.size();
        if (mean > s.maxLoss && s.maxLoss > Double.NEGATIVE_INFINITY && s.upscaleAllowed) {
            s.upscaleAllowed = false;
            stoppedUpscaling = true;
            lastWindowMean = mean;
        }
        s.maxLoss = Math.max(s.maxLoss, highest);
    }

    /**
     * The "loss rising over two windows" safeguard on a full base window: counts significantly
     * rising windows and, at the second in a row, downscales by β′ and returns the event; else null.
     */
    ObjectNode downscaleIfRising(long step, LossWindow.Velocity v) {
        AdaLrsState s = c.s;
        if (v.value() + c.settings.margin() * v.error() < 0) {
            s.risingWindows++;
        } else {
            s.risingWindows = 0;
        }
        if (s.risingWindows < 2) {
            return null;
        }
        double old = s.level;
        s.level = c.clamp(old / c.betaFactor());
        s.round++;
        s.risingWindows = 0;
        return c.event(step, "rising")
                .put("v_base", v.value())
                .put("e_base", v.error())
                .put("old_level", old)
                .put("new_level", s.level);
    }

    /**
     * The shared part of a non-finite loss with a snapshot in force: downscale from the level
     * the branch started at, stop upscaling, count the round; returns the event.
     */
    ObjectNode downscaleOnDivergence(long step, double loss) {
        AdaLrsState s = c.s;
        double from = "trial".equals(s.phase) ? s.previousLevel : s.level;
        s.level = c.clamp(from / c.betaFactor());
        s.round++;
        s.upscaleAllowed = false;
        return c.event(step, "diverged")
                .put("loss", String.valueOf(loss))
                .put("old_level", from)
                .put("new_level", s.level);
    }

    /** {@code d}, with the "upscaling stopped" fields when this step's window stopped upscaling. */
    Decision reportStoppedUpscaling(long step, Decision d) {
        if (!stoppedUpscaling) {
            return d;
        }
        stoppedUpscaling = false;
        AdaLrsState s = c.s;
        ObjectNode e = d.event() != null
                ? d.event()
                : c.event(step, "upscaling_stopped").put("old_level", s.level).put("new_level", s.level);
        e.put("upscaling_stopped", true).put("window_mean_loss", lastWindowMean).put("max_loss", s.maxLoss);
        return new Decision(d.action(), e, d.resumeAt());
    }
}
