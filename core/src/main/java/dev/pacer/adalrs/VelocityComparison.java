package dev.pacer.adalrs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.adalrs.AdaLrsController.Action;
import dev.pacer.adalrs.AdaLrsController.Decision;

/**
 * The paper's comparison (Dong et al., 2025): measure the loss-descent velocity of a base window
 * at level η, snapshot, train a trial window at α′η on the next steps and compare: faster by
 * more than {@code margin} standard errors: accept (level α′η, keep weights); slower by as much:
 * reject (roll back, level β′η); otherwise neutral (level η). The trial is later in the run than
 * the base window, so with {@code trend = inverse-time} the base velocity is first scaled to
 * the trial window's time (descent slows roughly as 1/t).
 */
final class VelocityComparison extends TrialProtocol {

    VelocityComparison(AdaLrsController controller) {
        super(controller);
    }

    @Override
    Decision start(long step) {
        if (s().finished || step < c.searchStart) {
            return Decision.none();
        }
        if (!roomFor(step, 2)) {
            s().finished = true;
            return Decision.none();
        }
        c.startWindow("base", 0);
        return new Decision(Action.SNAPSHOT, null);
    }

    @Override
    Decision base(long step, double loss) {
        if (!c.collect(step, loss)) {
            return Decision.none();
        }
        LossWindow.Velocity v = c.velocity();
        ObjectNode rising = c.safeguards.downscaleIfRising(step, v);
        if (rising != null) {
            return new Decision(nextWindowOrStop(step, "base", 1), rising);
        }
        s().baseVelocity = v.value();
        s().baseError = v.error();
        s().baseCenter = v.center();
        return startTrialOrContinue(step);
    }

    private Decision startTrialOrContinue(long step) {
        double up = c.clamp(s().level * c.alphaFactor());
        if (!s().upscaleAllowed || up <= s().level || !roomFor(step, 1)) {
            return new Decision(nextWindowOrStop(step, "base", 0), null);
        }
        s().previousLevel = s().level;
        s().trialLevel = up;
        s().level = up;
        c.startWindow("trial", 1);
        return new Decision(Action.SNAPSHOT, null);
    }

    @Override
    Decision trial(long step, double loss) {
        if (!c.collect(step, loss)) {
            return Decision.none();
        }
        LossWindow.Velocity t = c.velocity();
        AdaLrsState st = s();
        double expected = st.baseVelocity;
        if (settings.trend() == AdaLrsSettings.Trend.INVERSE_TIME && st.baseVelocity > 0) {
            // descent slows roughly as 1/t (loss ~ a - b log t): compare the trial with the
            // velocity the base level would have shown at the trial window's time
            expected = st.baseVelocity * st.baseCenter / t.center();
        }
        double error = Math.sqrt(st.baseError * st.baseError + t.error() * t.error());
        double margin = settings.margin() * error;
        ObjectNode e = c.event(step, "")
                .put("v_base", st.baseVelocity)
                .put("e_base", st.baseError)
                .put("v_base_expected", expected)
                .put("v_try", t.value())
                .put("e_try", t.error())
                .put("margin", margin)
                .put("old_level", st.previousLevel)
                .put("trial_level", st.trialLevel);
        st.round++;
        if (t.value() > expected + margin) {
            st.level = st.trialLevel;
            e.put("outcome", "accept").put("new_level", st.level);
            // the trial window already measured the new level: it is the next round's base
            st.baseVelocity = t.value();
            st.baseError = t.error();
            st.baseCenter = t.center();
            return new Decision(startTrialOrContinue(step).action(), e);
        }
        if (t.value() < expected - margin) {
            st.level = c.clamp(st.previousLevel / c.betaFactor());
            e.put("outcome", "reject").put("new_level", st.level);
            // restored weights equal the snapshot, which stays valid for the next base window
            c.startWindow("base", 1);
            return new Decision(Action.ROLLBACK, e);
        }
        st.level = st.previousLevel;
        e.put("outcome", "neutral").put("new_level", st.level);
        if (settings.neutralKeepsWeights()) {
            return new Decision(nextWindowOrStop(step, "base", 1), e);
        }
        c.startWindow("base", 1);
        return new Decision(Action.ROLLBACK, e);
    }

    @Override
    Decision diverged(long step, double loss) {
        ObjectNode e = c.safeguards.downscaleOnDivergence(step, loss);
        c.startWindow("base", 1);
        return new Decision(Action.ROLLBACK, e);
    }

    /** Starts the next window of {@code phase} if the search phase has room, else ends the search. */
    private Action nextWindowOrStop(long step, String phase, int settle) {
        if (!roomFor(step, 1)) {
            c.finish();
            return Action.NONE;
        }
        c.startWindow(phase, settle);
        return Action.SNAPSHOT;
    }

    /** Whether {@code windows} more windows (with a settling step each) end inside the phase. */
    private boolean roomFor(long step, int windows) {
        return step + (long) windows * (settings.window() + 1) <= c.searchEnd;
    }
}
