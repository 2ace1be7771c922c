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
        /** The loss is not finite and there is no snapshot to return to. */
        FAIL
    }

    /** An action and, when the controller decided something, the event describing it. */
    public record Decision(Action action, ObjectNode event) {}

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
    }

    public AdaLrsController(AdaLrsSettings settings, long warmupSteps, long maxSteps) {
        this.settings = settings;
        this.warmupSteps = warmupSteps;
        this.searchStart = Math.max(warmupSteps, (long) Math.ceil(settings.phaseStart() * maxSteps));
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
        Decision d = switch (s.phase) {
            case "outside" -> maybeStartSearch(step);
            case "base" -> base(step, loss);
            case "trial" -> trial(step, loss);
            default -> throw new IllegalStateException("unknown AdaLRS phase " + s.phase);
        };
        if (stoppedUpscaling) {
            stoppedUpscaling = false;
            ObjectNode e = d.event() != null ? d.event()
                    : event(step, "upscaling_stopped").put("old_level", s.level).put("new_level", s.level);
            e.put("upscaling_stopped", true).put("window_mean_loss", lastWindowMean).put("max_loss", s.maxLoss);
            return new Decision(d.action(), e);
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
        if (v.value() + settings.margin() * v.error() < 0) {
            s.risingWindows++;
        } else {
            s.risingWindows = 0;
        }
        if (s.risingWindows >= 2) {
            double old = s.level;
            s.level = clamp(old / betaFactor());
            s.round++;
            s.risingWindows = 0;
            ObjectNode e = event(step, "rising").put("v_base", v.value()).put("e_base", v.error())
                    .put("old_level", old).put("new_level", s.level);
            return new Decision(nextWindowOrStop(step, "base", 1), e);
        }
        s.baseVelocity = v.value();
        s.baseError = v.error();
        s.baseCenter = v.center();
        return startTrialOrContinue(step);
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
        ObjectNode e = event(step, "").put("v_base", s.baseVelocity).put("e_base", s.baseError)
                .put("v_base_expected", expected).put("v_try", t.value()).put("e_try", t.error())
                .put("margin", margin).put("old_level", s.previousLevel);
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
        double from = "trial".equals(s.phase) ? s.previousLevel : s.level;
        s.level = clamp(from / betaFactor());
        s.round++;
        s.upscaleAllowed = false;
        ObjectNode e = event(step, "diverged").put("loss", String.valueOf(loss)).put("old_level", from)
                .put("new_level", s.level);
        startWindow("base", 1);
        return new Decision(Action.ROLLBACK, e);
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
        ObjectNode e = JSON.createObjectNode().put("event", "adalrs").put("step", step).put("round", s.round);
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
            throw new IllegalArgumentException("AdaLRS state in the checkpoint is not readable: " + e.getOriginalMessage(), e);
        }
    }

    /** Whether a snapshot is in force (a checkpoint must then also save it). */
    public boolean snapshotValid() {
        return s.snapshotValid;
    }
}
