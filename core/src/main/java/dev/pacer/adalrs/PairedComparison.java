package dev.pacer.adalrs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.adalrs.AdaLrsController.Action;
import dev.pacer.adalrs.AdaLrsController.Decision;
import java.util.ArrayList;

/**
 * Paired comparison ({@code pacer.adalrs.comparison = paired}, docs/adalrs.md): a round
 * snapshots, runs a base window of {@code window} steps at level η, then replays the same steps
 * (same batches) from the snapshot at the trial level and compares the two branches' losses step
 * by step over the second half of the window. The paired difference cancels the batch-to-batch
 * noise that drowns the velocity comparison, and both branches are compared at the same steps,
 * so the natural slowdown of descent needs no correction. The winner's weights go on; the loser's
 * steps are the extra compute, bounded by max-extra-compute.
 *
 * <p>Trials go up by α′ until one loses, then down by β′; once both neighbours of the level lost,
 * the factors shrink (square root) and the search narrows around the level. With
 * {@code down-trials = false} every trial goes up, and a losing one shrinks the next step up
 * instead: after a warmup at a low initial-scale the search climbs to the level where a higher
 * one stops winning.
 */
final class PairedComparison extends TrialProtocol {

    /** A paired search stops once the factor of its next trial is below this. */
    static final double SMALLEST_FACTOR = 1.1;

    PairedComparison(AdaLrsController controller) {
        super(controller);
    }

    @Override
    Decision start(long step) {
        if (c.races() && !s().raced && step == 1) {
            // the warmup race: the round's snapshot is the state after the first completed step
            s().racing = true;
            c.startWindow("base", 0);
            s().roundStart = step;
            return new Decision(Action.SNAPSHOT, null);
        }
        if (s().finished || step < c.searchStart) {
            return Decision.none();
        }
        return startRound(step, Action.SNAPSHOT);
    }

    /** Starts a round at {@code step} with {@code action} taking its snapshot, or ends the search. */
    private Decision startRound(long step, Action action) {
        if (step + c.windowLength() > c.searchEnd
                || s().extraSteps + c.windowLength() > c.extraBudget
                || Double.isNaN(trialLevel())) {
            c.finish();
            // a rollback still needs the snapshot this once: the loop applies the action first
            return new Decision(action == Action.ROLLBACK ? Action.ROLLBACK : Action.NONE, null);
        }
        c.startWindow("base", 0);
        s().roundStart = step;
        return new Decision(action, null);
    }

    /**
     * The warmup race is decided: the search's rounds follow at once, inside warmup (a climb that
     * waited for the search's phase would meet the short-horizon bias after warmup).
     * {@code rollback}: the race's higher (base) branch goes on.
     */
    private Decision afterRace(long step, boolean rollback) {
        s().racing = false;
        s().raced = true;
        return startRound(step, rollback ? Action.ROLLBACK : Action.SNAPSHOT);
    }

    /** The next trial's level, or NaN when no trial can move the level any more. */
    private double trialLevel() {
        AdaLrsState st = s();
        if (!settings.downTrials()) {
            // up only: a losing trial narrows the next step up (trial); lower levels come from
            // the safeguards alone, and a stop to upscaling ends the search
            st.direction = 1;
            if (!st.upscaleAllowed) {
                return Double.NaN;
            }
        }
        for (int tries = 0; tries < 2; tries++) {
            if (st.direction > 0 && (!st.upscaleAllowed || st.failedUp)) {
                st.direction = -1;
            } else if (st.direction < 0 && st.failedDown && st.upscaleAllowed && !st.failedUp) {
                st.direction = 1;
            }
        }
        if ((st.direction > 0 && st.failedUp) || (st.direction < 0 && st.failedDown)) {
            return Double.NaN;
        }
        double factor = st.direction > 0 ? upFactor(st) : Math.pow(c.betaFactor(), Math.pow(0.5, st.shrink));
        if (factor < SMALLEST_FACTOR) {
            return Double.NaN;
        }
        double trial = c.clamp(st.direction > 0 ? st.level * factor : st.level / factor);
        return trial == st.level ? Double.NaN : trial;
    }

    /**
     * α′, or with {@code first-trial-at-start-rate}, until a trial wins, the step from a level
     * below 1 to 1 itself: the first trial tries the rate the user gave, and losing ones halve
     * the log of the step (bisection between the level and the start rate).
     */
    private double upFactor(AdaLrsState st) {
        double shrunk = Math.pow(0.5, st.shrink);
        if (settings.firstTrialAtStartRate() && st.accepted == 0 && st.level < 1) {
            return Math.pow(1 / st.level, shrunk);
        }
        return settings.gallop() ? gallopFactor(st) : Math.pow(c.alphaFactor(), shrunk);
    }

    /**
     * {@code gallop}: until a trial loses, a win lengthens the step by α′ and a neutral trial
     * repeats it; from the first loss on, every round takes the square root of the last step,
     * whatever its outcome (a bisection in log space of the bracket between the last win and the
     * first loss). The last step is the last round's trial level over its old level, and a loss is
     * a shrink, both kept in the state, so a resumed run steps alike.
     */
    private double gallopFactor(AdaLrsState st) {
        double last = st.trialLevel / st.previousLevel;
        if (!(last > 1)) {
            return c.alphaFactor();
        }
        if (st.shrink > 0) {
            return Math.sqrt(last);
        }
        return st.level == st.trialLevel ? last * c.alphaFactor() : last;
    }

    @Override
    Decision base(long step, double loss) {
        if (!c.collect(step, loss)) {
            return Decision.none();
        }
        AdaLrsState st = s();
        LossWindow.Velocity v = c.velocity();
        if (st.racing) {
            double lower = c.clamp(st.level / settings.raceFactor());
            return lower < st.level ? replay(v, lower) : afterRace(step, false);
        }
        ObjectNode rising = c.safeguards.downscaleIfRising(step, v);
        if (rising != null) {
            st.failedUp = false;
            st.failedDown = false;
            return new Decision(startRound(step, Action.SNAPSHOT).action(), rising);
        }
        double trial = trialLevel();
        if (Double.isNaN(trial)) {
            return startRound(step, Action.SNAPSHOT);
        }
        return replay(v, trial);
    }

    /** The base window is full: the trial at {@code trial} replays its steps from the snapshot. */
    private Decision replay(LossWindow.Velocity v, double trial) {
        AdaLrsState st = s();
        st.baseVelocity = v.value();
        st.baseError = v.error();
        st.baseLosses = new ArrayList<>();
        for (double[] p : st.window) {
            st.baseLosses.add(p[1]);
        }
        st.previousLevel = st.level;
        st.trialLevel = trial;
        st.level = trial;
        st.extraSteps += c.windowLength();
        c.startWindow("trial", 0);
        return new Decision(Action.REPLAY, null, st.roundStart);
    }

    @Override
    Decision trial(long step, double loss) {
        if (!c.collect(step, loss)) {
            return Decision.none();
        }
        AdaLrsState st = s();
        LossWindow.Velocity t = c.velocity();
        int n = c.windowLength();
        int count = comparedSteps(n);
        int from = n - count;
        double mean = 0;
        double baseMean = 0;
        for (int i = from; i < n; i++) {
            mean += st.window.get(i)[1] - st.baseLosses.get(i);
            baseMean += st.baseLosses.get(i);
        }
        mean /= count;
        baseMean /= count;
        double ss = 0;
        for (int i = from; i < n; i++) {
            double d = st.window.get(i)[1] - st.baseLosses.get(i) - mean;
            ss += d * d;
        }
        double error = count > 1 ? Math.sqrt(ss / (count - 1) / count) : Double.POSITIVE_INFINITY;
        double margin = settings.margin() * error;
        boolean up = st.trialLevel > st.previousLevel;
        ObjectNode e = c.event(step, "")
                .put("comparison", AdaLrsSettings.Comparison.PAIRED.id())
                .put("replayed_from", st.roundStart)
                .put("direction", up ? "up" : "down")
                .put("v_base", st.baseVelocity)
                .put("e_base", st.baseError)
                .put("v_try", t.value())
                .put("e_try", t.error())
                .put("base_mean_loss", baseMean)
                .put("trial_mean_loss", baseMean + mean)
                .put("paired_difference", mean)
                .put("paired_error", error)
                .put("compared_steps", count)
                .put("margin", margin)
                .put("old_level", st.previousLevel)
                .put("trial_level", st.trialLevel)
                .put("extra_steps", st.extraSteps);
        st.round++;
        if (st.racing) {
            // the lower branch goes on only when it is clearly ahead: a neutral race keeps the higher level
            boolean lower = mean < -margin;
            st.level = lower ? st.trialLevel : st.previousLevel;
            e.put("race", true)
                    .put("outcome", lower ? "accept" : mean > margin ? "reject" : "neutral")
                    .put("new_level", st.level);
            return new Decision(afterRace(step, !lower).action(), e);
        }
        if (mean < -margin || (up && settings.acceptNeutralUp() && mean <= margin)) {
            // the trial's branch is ahead on the same batches (or, with accept-neutral-up, an up
            // trial is not clearly behind): its weights go on at its level
            st.level = st.trialLevel;
            st.accepted++;
            st.failedUp = false;
            st.failedDown = false;
            e.put("outcome", "accept").put("new_level", st.level);
            return new Decision(startRound(step, Action.SNAPSHOT).action(), e);
        }
        // not ahead: the base branch (the snapshot, at this same step) goes on at the old level
        st.level = st.previousLevel;
        st.refining = true;
        if (!settings.downTrials()) {
            // up only: a trial that lost clearly puts the optimum below it, so the next trial
            // tries a smaller step up; a neutral one (no evidence) tries the same step again
            if (mean > margin) {
                st.shrink++;
            }
        } else {
            if (up) {
                st.failedUp = true;
            } else {
                st.failedDown = true;
            }
            narrowIfBracketed();
            st.direction = -st.direction;
        }
        e.put("outcome", mean > margin ? "reject" : "neutral").put("new_level", st.level);
        return new Decision(startRound(step, Action.ROLLBACK).action(), e);
    }

    /**
     * The paired differences compared: the last {@code compare-tail} of a window of {@code n}
     * losses, at least two (0.5 gives the second half, n - n/2).
     */
    int comparedSteps(int n) {
        return (int) Math.min(n, Math.max(2, Math.round(n * settings.compareTail())));
    }

    /** Both neighbours of the level lost: the optimum is between them, so narrow the steps. */
    private void narrowIfBracketed() {
        AdaLrsState st = s();
        boolean downPossible = c.clamp(st.level / c.betaFactor()) < st.level;
        boolean upPossible = st.upscaleAllowed && c.clamp(st.level * c.alphaFactor()) > st.level;
        if ((st.failedUp || !upPossible) && (st.failedDown || !downPossible)) {
            st.shrink++;
            st.failedUp = false;
            st.failedDown = false;
        }
    }

    @Override
    Decision diverged(long step, double loss) {
        if ("trial".equals(s().phase)) {
            return trialDiverged(step, loss);
        }
        ObjectNode e = c.safeguards.downscaleOnDivergence(step, loss);
        if (s().racing) {
            return new Decision(afterRace(step, true).action(), e.put("race", true));
        }
        // back to the round's snapshot; the step counter runs on and a new round starts here
        s().direction = -1;
        s().failedUp = false;
        s().failedDown = false;
        return new Decision(startRound(step, Action.ROLLBACK).action(), e);
    }

    /**
     * A non-finite loss on the trial branch: the trial lost. The base branch (the snapshot, at
     * the end of the base window) goes on at the old level and upscaling stops.
     */
    private Decision trialDiverged(long step, double loss) {
        AdaLrsState st = s();
        long resume = st.roundStart + c.windowLength();
        st.refining = true;
        st.level = st.trialLevel > st.previousLevel ? st.previousLevel : c.clamp(st.trialLevel / c.betaFactor());
        st.upscaleAllowed = false;
        st.direction = -1;
        st.round++;
        ObjectNode e = c.event(step, "diverged")
                .put("comparison", AdaLrsSettings.Comparison.PAIRED.id())
                .put("replayed_from", st.roundStart)
                .put("loss", String.valueOf(loss))
                .put("old_level", st.previousLevel)
                .put("trial_level", st.trialLevel)
                .put("new_level", st.level)
                .put("resumed_at", resume);
        if (st.racing) {
            e.put("race", true);
        }
        Decision next = st.racing ? afterRace(resume, true) : startRound(resume, Action.ROLLBACK);
        return new Decision(next.action(), e, resume);
    }
}
