package dev.pacer.adalrs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * AdaLRS, loss-guided adaptive learning-rate search (Dong et al., 2025), as DESIGN section 3
 * restates it: the controller owns a level that multiplies the base schedule. Inside the search
 * phase it measures the loss-descent velocity of a base window at level η, snapshots, trains a
 * trial window at α′η and compares: faster by more than {@code margin} standard errors: accept
 * (level α′η, keep weights); slower by as much: reject (roll back, level β′η); otherwise
 * neutral (level η). α′ = max(λ^r·α, 1) and β′ = 1/max(λ^r·β, 1) shrink with the round r.
 *
 * <p>Safeguards: a non-finite loss rolls back to the snapshot at once and downscales; a loss
 * above the run's post-warmup maximum stops further upscaling; two consecutive windows with
 * significantly rising loss downscale. The level stays in [min-scale, max-scale].
 *
 * <p>Pure Java over plain numbers: the training loop reports each step's global loss through
 * {@link #observe} and carries out the returned {@link Action} (take or restore a snapshot of
 * weights and optimizer state). The whole state round-trips through {@link #toJson} for
 * checkpoints, so a resumed run decides exactly as an uninterrupted one.
 */
public final class AdaLrsController {

    /** What the training loop must do after a step. */
    public enum Action {
        /** Nothing. */
        NONE,
        /** Copy the current weights and optimizer state: a window starts. */
        SNAPSHOT,
        /** Restore the snapshot's weights and optimizer state (the step counter runs on). */
        ROLLBACK,
        /**
         * Paired comparison: keep the current weights and optimizer state as the new snapshot,
         * restore the old snapshot and continue from step {@link Decision#resumeAt()}: the trial
         * replays the base window's steps, on the same batches.
         */
        REPLAY,
        /** The loss is not finite and there is no snapshot to return to. */
        FAIL
    }

    /**
     * An action and, when the controller decided something, the event describing it.
     * {@code resumeAt} is the number of completed steps the loop continues from when the
     * decision moves the step counter (a replay, or a diverged trial's jump back to the base
     * branch), else -1.
     */
    public record Decision(Action action, ObjectNode event, long resumeAt) {
        public Decision(Action action, ObjectNode event) {
            this(action, event, -1);
        }
    }

    /** A paired search stops once the factor of its next trial is below this. */
    static final double SMALLEST_PAIRED_FACTOR = 1.1;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AdaLrsSettings settings;
    private final long warmupSteps;
    private final long searchStart;
    private final long searchEnd;
    private State s;

    /** Everything that evolves; public fields so checkpoints serialise it as it is. */
    public static final class State {
        public double level;
        public int round;
        public String phase = "outside";
        public List<double[]> window = new ArrayList<>();
        public int settle;
        public double baseVelocity = Double.NaN;
        public double baseError = Double.NaN;
        public double baseCenter = Double.NaN;
        public double previousLevel = Double.NaN;
        public double trialLevel = Double.NaN;
        public double maxLoss = Double.NEGATIVE_INFINITY;
        public boolean upscaleAllowed = true;
        public int risingWindows;
        public boolean snapshotValid;
        public boolean finished;
        // paired comparison only
        /** Completed steps when the round's snapshot was taken: where the trial replays from. */
        public long roundStart;

        public List<Double> baseLosses = new ArrayList<>();
        /** +1: the next trial goes up (α′), -1: down (β′). */
        public int direction = 1;

        public boolean failedUp;
        public boolean failedDown;
        /** How often both neighbours of the level lost: each halves the log of the factors. */
        public int shrink;
        /** Steps computed on discarded branches (replays): the compute beyond one run. */
        public long extraSteps;
    }

    private final long extraBudget;

    public AdaLrsController(AdaLrsSettings settings, long warmupSteps, long maxSteps) {
        this.settings = settings;
        this.extraBudget = (long) Math.floor(settings.maxExtraCompute() * maxSteps);
        this.warmupSteps = warmupSteps;
        long phaseStart = (long) Math.ceil(settings.phaseStart() * maxSteps);
        // a paired comparison is fair during warmup too: both branches see the same schedule
        this.searchStart = settings.duringWarmup() ? phaseStart : Math.max(warmupSteps, phaseStart);
        this.searchEnd = (long) Math.floor(settings.phaseEnd() * maxSteps);
        this.s = new State();
        s.level = settings.initialScale();
    }

    /** The multiplier of the base schedule for the next step. */
    public double level() {
        return s.level;
    }

    public int round() {
        return s.round;
    }

    /** "outside" (before or after the search), "base" or "trial". */
    public String phase() {
        return s.phase;
    }

    /** Feeds the global loss of completed step {@code step} (1-based) and returns what to do. */
    public Decision observe(long step, double loss) {
        if (!Double.isFinite(loss)) {
            return diverged(step, loss);
        }
        boolean paired = settings.paired();
        Decision d = switch (s.phase) {
            case "outside" -> paired ? maybeStartPairedRound(step) : maybeStartSearch(step);
            case "base" -> paired ? pairedBase(step, loss) : base(step, loss);
            case "trial" -> paired ? pairedTrial(step, loss) : trial(step, loss);
            default -> throw new IllegalStateException("unknown AdaLRS phase " + s.phase);
        };
        if (stoppedUpscaling) {
            stoppedUpscaling = false;
            ObjectNode e = d.event() != null
                    ? d.event()
                    : event(step, "upscaling_stopped").put("old_level", s.level).put("new_level", s.level);
            e.put("upscaling_stopped", true)
                    .put("window_mean_loss", lastWindowMean)
                    .put("max_loss", s.maxLoss);
            return new Decision(d.action(), e, d.resumeAt());
        }
        return d;
    }

    private boolean stoppedUpscaling;
    private double lastWindowMean;

    /**
     * The "loss above the run's maximum" safeguard: a window whose mean loss exceeds the highest
     * single batch loss seen since warmup (normally the first ones) stops upscaling. Comparing
     * single losses with the maximum, or window means with earlier window means, fired on batch
     * noise alone in the LR-recovery sweep and froze the search (docs/adalrs.md).
     */
    private void checkAgainstMaximum(long step) {
        if (step <= warmupSteps) {
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

    private Decision maybeStartSearch(long step) {
        if (s.finished || step < searchStart) {
            return new Decision(Action.NONE, null);
        }
        if (!roomFor(step, 2)) {
            s.finished = true;
            return new Decision(Action.NONE, null);
        }
        startWindow("base", 0);
        return new Decision(Action.SNAPSHOT, null);
    }

    private Decision base(long step, double loss) {
        if (!collect(step, loss)) {
            return new Decision(Action.NONE, null);
        }
        LossWindow.Velocity v = velocity();
        ObjectNode rising = downscaleIfRising(step, v);
        if (rising != null) {
            return new Decision(nextWindowOrStop(step, "base", 1), rising);
        }
        s.baseVelocity = v.value();
        s.baseError = v.error();
        s.baseCenter = v.center();
        return startTrialOrContinue(step);
    }

    /**
     * The "loss rising over two windows" safeguard on a full base window: counts significantly
     * rising windows and, at the second in a row, downscales by β′ and returns the event; else null.
     */
    private ObjectNode downscaleIfRising(long step, LossWindow.Velocity v) {
        if (v.value() + settings.margin() * v.error() < 0) {
            s.risingWindows++;
        } else {
            s.risingWindows = 0;
        }
        if (s.risingWindows < 2) {
            return null;
        }
        double old = s.level;
        s.level = clamp(old / betaFactor());
        s.round++;
        s.risingWindows = 0;
        return event(step, "rising")
                .put("v_base", v.value())
                .put("e_base", v.error())
                .put("old_level", old)
                .put("new_level", s.level);
    }

    private Decision startTrialOrContinue(long step) {
        double up = clamp(s.level * alphaFactor());
        if (!s.upscaleAllowed || up <= s.level || !roomFor(step, 1)) {
            return new Decision(nextWindowOrStop(step, "base", 0), null);
        }
        s.previousLevel = s.level;
        s.trialLevel = up;
        s.level = up;
        startWindow("trial", 1);
        return new Decision(Action.SNAPSHOT, null);
    }

    private Decision trial(long step, double loss) {
        if (!collect(step, loss)) {
            return new Decision(Action.NONE, null);
        }
        LossWindow.Velocity t = velocity();
        double expected = s.baseVelocity;
        if ("inverse-time".equals(settings.trend()) && s.baseVelocity > 0) {
            // descent slows roughly as 1/t (loss ~ a - b log t): compare the trial with the
            // velocity the base level would have shown at the trial window's time
            expected = s.baseVelocity * s.baseCenter / t.center();
        }
        double error = Math.sqrt(s.baseError * s.baseError + t.error() * t.error());
        double margin = settings.margin() * error;
        ObjectNode e = event(step, "")
                .put("v_base", s.baseVelocity)
                .put("e_base", s.baseError)
                .put("v_base_expected", expected)
                .put("v_try", t.value())
                .put("e_try", t.error())
                .put("margin", margin)
                .put("old_level", s.previousLevel);
        s.round++;
        if (t.value() > expected + margin) {
            s.level = s.trialLevel;
            e.put("outcome", "accept").put("new_level", s.level);
            // the trial window already measured the new level: it is the next round's base
            s.baseVelocity = t.value();
            s.baseError = t.error();
            s.baseCenter = t.center();
            return new Decision(startTrialOrContinue(step).action(), e);
        }
        if (t.value() < expected - margin) {
            s.level = clamp(s.previousLevel / betaFactor());
            e.put("outcome", "reject").put("new_level", s.level);
            // restored weights equal the snapshot, which stays valid for the next base window
            startWindow("base", 1);
            return new Decision(Action.ROLLBACK, e);
        }
        s.level = s.previousLevel;
        e.put("outcome", "neutral").put("new_level", s.level);
        if (settings.neutralKeepsWeights()) {
            return new Decision(nextWindowOrStop(step, "base", 1), e);
        }
        startWindow("base", 1);
        return new Decision(Action.ROLLBACK, e);
    }

    private Decision diverged(long step, double loss) {
        if (!s.snapshotValid) {
            return new Decision(Action.FAIL, event(step, "diverged").put("loss", String.valueOf(loss)));
        }
        if (settings.paired() && "trial".equals(s.phase)) {
            return pairedTrialDiverged(step, loss);
        }
        double from = "trial".equals(s.phase) ? s.previousLevel : s.level;
        s.level = clamp(from / betaFactor());
        s.round++;
        s.upscaleAllowed = false;
        ObjectNode e = event(step, "diverged")
                .put("loss", String.valueOf(loss))
                .put("old_level", from)
                .put("new_level", s.level);
        if (settings.paired()) {
            // back to the round's snapshot; the step counter runs on and a new round starts here
            s.direction = -1;
            s.failedUp = false;
            s.failedDown = false;
            return new Decision(startPairedRound(step, Action.ROLLBACK).action(), e);
        }
        startWindow("base", 1);
        return new Decision(Action.ROLLBACK, e);
    }

    // ---------------------------------------------------------------- paired comparison

    /*
     * Paired comparison (pacer.adalrs.comparison = paired, docs/adalrs.md): a round snapshots,
     * runs a base window of `window` steps at level η, then replays the same steps (same batches)
     * from the snapshot at the trial level and compares the two branches' losses step by step
     * over the second half of the window. The paired difference cancels the batch-to-batch noise
     * that drowns the velocity comparison, and both branches are compared at the same steps, so
     * the natural slowdown of descent needs no correction. The winner's weights go on; the
     * loser's steps are the extra compute, bounded by max-extra-compute. Trials go up by α′ until
     * one loses, then down by β′; once both neighbours of the level lost, the factors shrink
     * (square root) and the search narrows around the level. With down-trials = false every trial
     * goes up, and a losing one shrinks the next step up instead: after a warmup at a low
     * initial-scale the search climbs to the level where a higher one stops winning.
     */

    private Decision maybeStartPairedRound(long step) {
        if (s.finished || step < searchStart) {
            return new Decision(Action.NONE, null);
        }
        return startPairedRound(step, Action.SNAPSHOT);
    }

    /** Starts a round at {@code step} with {@code action} taking its snapshot, or ends the search. */
    private Decision startPairedRound(long step, Action action) {
        if (step + settings.window() > searchEnd
                || s.extraSteps + settings.window() > extraBudget
                || Double.isNaN(pairedTrialLevel())) {
            s.phase = "outside";
            s.finished = true;
            s.snapshotValid = false;
            s.window.clear();
            // a rollback still needs the snapshot this once: the loop applies the action first
            return new Decision(action == Action.ROLLBACK ? Action.ROLLBACK : Action.NONE, null);
        }
        startWindow("base", 0);
        s.roundStart = step;
        return new Decision(action, null);
    }

    /** The next trial's level, or NaN when no trial can move the level any more. */
    private double pairedTrialLevel() {
        if (!settings.downTrials()) {
            // up only: a losing trial narrows the next step up (pairedTrial); lower levels come
            // from the safeguards alone, and a stop to upscaling ends the search
            s.direction = 1;
            if (!s.upscaleAllowed) {
                return Double.NaN;
            }
        }
        for (int tries = 0; tries < 2; tries++) {
            if (s.direction > 0 && (!s.upscaleAllowed || s.failedUp)) {
                s.direction = -1;
            } else if (s.direction < 0 && s.failedDown && s.upscaleAllowed && !s.failedUp) {
                s.direction = 1;
            }
        }
        if ((s.direction > 0 && s.failedUp) || (s.direction < 0 && s.failedDown)) {
            return Double.NaN;
        }
        double factor = s.direction > 0 ? alphaFactor() : betaFactor();
        factor = Math.pow(factor, Math.pow(0.5, s.shrink));
        if (factor < SMALLEST_PAIRED_FACTOR) {
            return Double.NaN;
        }
        double trial = clamp(s.direction > 0 ? s.level * factor : s.level / factor);
        return trial == s.level ? Double.NaN : trial;
    }

    private Decision pairedBase(long step, double loss) {
        if (!collect(step, loss)) {
            return new Decision(Action.NONE, null);
        }
        LossWindow.Velocity v = velocity();
        ObjectNode rising = downscaleIfRising(step, v);
        if (rising != null) {
            s.failedUp = false;
            s.failedDown = false;
            return new Decision(startPairedRound(step, Action.SNAPSHOT).action(), rising);
        }
        double trial = pairedTrialLevel();
        if (Double.isNaN(trial)) {
            return startPairedRound(step, Action.SNAPSHOT);
        }
        s.baseVelocity = v.value();
        s.baseError = v.error();
        s.baseLosses = new ArrayList<>();
        for (double[] p : s.window) {
            s.baseLosses.add(p[1]);
        }
        s.previousLevel = s.level;
        s.trialLevel = trial;
        s.level = trial;
        s.extraSteps += settings.window();
        startWindow("trial", 0);
        return new Decision(Action.REPLAY, null, s.roundStart);
    }

    private Decision pairedTrial(long step, double loss) {
        if (!collect(step, loss)) {
            return new Decision(Action.NONE, null);
        }
        LossWindow.Velocity t = velocity();
        int n = settings.window();
        int from = n / 2;
        int count = n - from;
        double mean = 0;
        double baseMean = 0;
        for (int i = from; i < n; i++) {
            mean += s.window.get(i)[1] - s.baseLosses.get(i);
            baseMean += s.baseLosses.get(i);
        }
        mean /= count;
        baseMean /= count;
        double ss = 0;
        for (int i = from; i < n; i++) {
            double d = s.window.get(i)[1] - s.baseLosses.get(i) - mean;
            ss += d * d;
        }
        double error = count > 1 ? Math.sqrt(ss / (count - 1) / count) : Double.POSITIVE_INFINITY;
        double margin = settings.margin() * error;
        boolean up = s.trialLevel > s.previousLevel;
        ObjectNode e = event(step, "")
                .put("comparison", "paired")
                .put("replayed_from", s.roundStart)
                .put("direction", up ? "up" : "down")
                .put("v_base", s.baseVelocity)
                .put("e_base", s.baseError)
                .put("v_try", t.value())
                .put("e_try", t.error())
                .put("base_mean_loss", baseMean)
                .put("trial_mean_loss", baseMean + mean)
                .put("paired_difference", mean)
                .put("paired_error", error)
                .put("compared_steps", count)
                .put("margin", margin)
                .put("old_level", s.previousLevel)
                .put("extra_steps", s.extraSteps);
        s.round++;
        if (mean < -margin) {
            // the trial's branch is ahead on the same batches: its weights go on at its level
            s.level = s.trialLevel;
            s.failedUp = false;
            s.failedDown = false;
            e.put("outcome", "accept").put("new_level", s.level);
            return new Decision(startPairedRound(step, Action.SNAPSHOT).action(), e);
        }
        // not ahead: the base branch (the snapshot, at this same step) goes on at the old level
        s.level = s.previousLevel;
        if (!settings.downTrials()) {
            // up only: a trial that lost clearly puts the optimum below it, so the next trial
            // tries a smaller step up; a neutral one (no evidence) tries the same step again
            if (mean > margin) {
                s.shrink++;
            }
        } else {
            if (up) {
                s.failedUp = true;
            } else {
                s.failedDown = true;
            }
            narrowIfBracketed();
            s.direction = -s.direction;
        }
        e.put("outcome", mean > margin ? "reject" : "neutral").put("new_level", s.level);
        return new Decision(startPairedRound(step, Action.ROLLBACK).action(), e);
    }

    /** Both neighbours of the level lost: the optimum is between them, so narrow the steps. */
    private void narrowIfBracketed() {
        boolean downPossible = clamp(s.level / betaFactor()) < s.level;
        boolean upPossible = s.upscaleAllowed && clamp(s.level * alphaFactor()) > s.level;
        if ((s.failedUp || !upPossible) && (s.failedDown || !downPossible)) {
            s.shrink++;
            s.failedUp = false;
            s.failedDown = false;
        }
    }

    /**
     * A non-finite loss on the trial branch: the trial lost. The base branch (the snapshot, at
     * the end of the base window) goes on at the old level and upscaling stops.
     */
    private Decision pairedTrialDiverged(long step, double loss) {
        long resume = s.roundStart + settings.window();
        s.level = s.trialLevel > s.previousLevel ? s.previousLevel : clamp(s.trialLevel / betaFactor());
        s.upscaleAllowed = false;
        s.direction = -1;
        s.round++;
        ObjectNode e = event(step, "diverged")
                .put("comparison", "paired")
                .put("replayed_from", s.roundStart)
                .put("loss", String.valueOf(loss))
                .put("old_level", s.previousLevel)
                .put("new_level", s.level)
                .put("resumed_at", resume);
        Decision next = startPairedRound(resume, Action.ROLLBACK);
        return new Decision(next.action(), e, resume);
    }

    /** Starts the next window of {@code phase} if the search phase has room, else ends the search. */
    private Action nextWindowOrStop(long step, String phase, int settle) {
        if (!roomFor(step, 1)) {
            s.phase = "outside";
            s.finished = true;
            s.snapshotValid = false;
            s.window.clear();
            return Action.NONE;
        }
        startWindow(phase, settle);
        return Action.SNAPSHOT;
    }

    private void startWindow(String phase, int settle) {
        s.phase = phase;
        s.window.clear();
        s.settle = settle;
        s.snapshotValid = true;
    }

    /** Adds a loss to the window (after the settling steps); true when the window is full. */
    private boolean collect(long step, double loss) {
        if (s.settle > 0) {
            s.settle--;
            return false;
        }
        s.window.add(new double[] {step, loss});
        if (s.window.size() >= settings.window()) {
            checkAgainstMaximum(step);
            return true;
        }
        return false;
    }

    private LossWindow.Velocity velocity() {
        LossWindow w = new LossWindow();
        for (double[] p : s.window) {
            w.add((long) p[0], p[1]);
        }
        return w.velocity();
    }

    /** Whether {@code windows} more windows (with a settling step each) end inside the phase. */
    private boolean roomFor(long step, int windows) {
        return step + (long) windows * (settings.window() + 1) <= searchEnd;
    }

    private double alphaFactor() {
        return Math.max(Math.pow(settings.decay(), s.round) * settings.alpha(), 1.0);
    }

    private double betaFactor() {
        return Math.max(Math.pow(settings.decay(), s.round) * settings.beta(), 1.0);
    }

    private double clamp(double level) {
        return Math.min(settings.maxScale(), Math.max(settings.minScale(), level));
    }

    private ObjectNode event(long step, String outcome) {
        ObjectNode e =
                JSON.createObjectNode().put("event", "adalrs").put("step", step).put("round", s.round);
        if (!outcome.isEmpty()) {
            e.put("outcome", outcome);
        }
        return e;
    }

    /** The controller's whole state, for checkpoints. */
    public ObjectNode toJson() {
        return JSON.valueToTree(s);
    }

    /** Restores a state written by {@link #toJson}. */
    public void restore(com.fasterxml.jackson.databind.JsonNode json) {
        try {
            s = JSON.treeToValue(json, State.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "AdaLRS state in the checkpoint is not readable: " + e.getOriginalMessage(), e);
        }
    }

    /** Whether a snapshot is in force (a checkpoint must then also save it). */
    public boolean snapshotValid() {
        return s.snapshotValid;
    }
}
