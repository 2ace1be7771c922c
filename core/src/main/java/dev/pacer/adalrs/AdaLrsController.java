package dev.pacer.adalrs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.rates.RateController;
import dev.pacer.rates.StepRates;

/**
 * AdaLRS, loss-guided adaptive learning-rate search (Dong et al., 2025; docs/design.md): a level
 * that multiplies the base schedule, moved by comparing a trial level with the current one. This
 * class is what both comparisons share: the level and its bounds, the rounds and their factors
 * α′ = max(λ^r·α, 1) and β′ = 1/max(λ^r·β, 1), the loss windows, the search phase and budget, and
 * the safeguards. How a trial is run and judged is a {@link TrialProtocol}: {@link VelocityComparison}
 * (the paper's: velocities of a base and a later trial window) or {@link PairedComparison} (the
 * trial replays the base window's steps on the same batches).
 *
 * <p>{@link Safeguards}: a non-finite loss rolls back to the snapshot at once and downscales; a
 * window whose mean loss is above the run's post-warmup maximum stops further upscaling; two
 * consecutive windows with significantly rising loss downscale. The level stays in [min-scale,
 * max-scale].
 *
 * <p>Pure Java over plain numbers: the training loop reports each step's global loss through
 * {@link #observe} and carries out the returned {@link Action}. The whole state is an
 * {@link AdaLrsState}, so a resumed run decides exactly as an uninterrupted one.
 */
public final class AdaLrsController implements RateController<AdaLrsState> {

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
     * {@code resumeAt} is the number of completed steps the loop continues from when the decision
     * moves the step counter (a replay, or a diverged trial's jump back to the base branch), else
     * -1.
     */
    public record Decision(Action action, ObjectNode event, long resumeAt) {
        public Decision(Action action, ObjectNode event) {
            this(action, event, -1);
        }

        static Decision none() {
            return new Decision(Action.NONE, null);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    final AdaLrsSettings settings;
    final long warmupSteps;
    final long searchStart;
    final long searchEnd;
    /** Replayed steps the search may spend: max-extra-compute of the planned steps. */
    final long extraBudget;
    /** Steps of the first paired round's windows (first-window of the planned steps), 0 = window. */
    final int firstWindow;

    /**
     * The warmup race takes at most this share of the replay budget; the search's rounds need the
     * rest. Measured: at 600 steps a 60-step race took two thirds of the budget and the climb after it
     * fell short (docs/benchmarks/adalrs.md, "Other corpora"); at 2400 steps, a sixth, it led.
     */
    static final double RACE_SHARE = 1.0 / 3;

    /** Why this run has no warmup race, or null when it has one. */
    final String raceSkipped;

    private final TrialProtocol comparison;
    AdaLrsState s;

    final Safeguards safeguards = new Safeguards(this);

    public AdaLrsController(AdaLrsSettings settings, long warmupSteps, long maxSteps) {
        this.settings = settings;
        this.extraBudget = (long) Math.floor(settings.maxExtraCompute() * maxSteps);
        this.warmupSteps = warmupSteps;
        this.firstWindow =
                settings.firstWindow() > 0 ? (int) Math.max(4, Math.round(settings.firstWindow() * maxSteps)) : 0;
        long phaseStart = (long) Math.ceil(settings.phaseStart() * maxSteps);
        this.raceSkipped = raceSkipped(settings, extraBudget, maxSteps);
        // a paired comparison is fair during warmup too: both branches see the same schedule (after
        // a warmup race the search's rounds follow it at once, whatever this says)
        this.searchStart = settings.duringWarmup() ? phaseStart : Math.max(warmupSteps, phaseStart);
        this.searchEnd = (long) Math.floor(settings.phaseEnd() * maxSteps);
        this.s = new AdaLrsState();
        s.level = raceSkipped == null ? raceLevel(settings) : settings.initialScale();
        this.comparison = settings.paired() ? new PairedComparison(this) : new VelocityComparison(this);
    }

    /** The race's higher level: initial-scale x race-factor, within the level's bounds. */
    private static double raceLevel(AdaLrsSettings settings) {
        return Math.min(settings.maxScale(), settings.initialScale() * settings.raceFactor());
    }

    private static String raceSkipped(AdaLrsSettings settings, long extraBudget, long maxSteps) {
        if (settings.raceSteps() == 0) {
            return "race-steps = 0"; // not reported: the user turned it off
        }
        if (!settings.paired()) {
            return "the race needs comparison = paired";
        }
        if (settings.firstWindow() > 0) {
            return "first-window sets the first round";
        }
        if (!(raceLevel(settings) > settings.initialScale())) {
            return "initial-scale is at max-scale: no higher level to race";
        }
        long share = (long) Math.floor(RACE_SHARE * extraBudget);
        if (settings.raceSteps() > share || settings.raceSteps() + 1 > maxSteps) {
            return "race-steps = " + settings.raceSteps() + " is more than a third of the replay budget ("
                    + extraBudget + " steps: max-extra-compute = " + settings.maxExtraCompute() + " of " + maxSteps
                    + " steps); the search's rounds need the rest";
        }
        return null;
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

    /** Whether this run starts with the warmup race (race-steps). */
    public boolean races() {
        return raceSkipped == null;
    }

    /** Whether a snapshot is in force (a checkpoint must then also save it). */
    public boolean snapshotValid() {
        return s.snapshotValid;
    }

    @Override
    public void shape(long step, StepRates rates) {
        rates.scaleLevel(s.level * annealFactor());
    }

    /**
     * {@code compare-annealed} (never in the warmup race): over the compared half of a paired
     * window (the losses from index n/2 on), the level falls linearly, (n - i) / (n - n/2 + 1) at
     * window index i, in both branches alike; 1 elsewhere. Derived from the window's state, so a
     * resumed run anneals alike.
     */
    double annealFactor() {
        if (!settings.compareAnnealed()
                || s.settle > 0
                || s.racing
                || !("base".equals(s.phase) || "trial".equals(s.phase))) {
            return 1;
        }
        int n = windowLength();
        int i = s.window.size();
        int from = n / 2;
        return i < from || i >= n ? 1 : (double) (n - i) / (n - from + 1);
    }

    @Override
    public AdaLrsState state() {
        return s.copy();
    }

    @Override
    public void restore(AdaLrsState state) {
        s = state.copy();
    }

    @Override
    public Class<AdaLrsState> stateType() {
        return AdaLrsState.class;
    }

    /** Feeds the global loss of completed step {@code step} (1-based) and returns what to do. */
    public Decision observe(long step, double loss) {
        if (!Double.isFinite(loss)) {
            if (!s.snapshotValid) {
                return new Decision(Action.FAIL, event(step, "diverged").put("loss", String.valueOf(loss)));
            }
            return comparison.diverged(step, loss);
        }
        Decision d = switch (s.phase) {
            case "outside" -> comparison.start(step);
            case "base" -> comparison.base(step, loss);
            case "trial" -> comparison.trial(step, loss);
            default -> throw new IllegalStateException("unknown AdaLRS phase " + s.phase);
        };
        if (!s.raced && !s.racing && d.event() == null && settings.raceSteps() > 0) {
            // a race was asked for and this run has none: said once, in the first decision's place
            s.raced = true;
            String why = raceSkipped != null ? raceSkipped : "the run resumed after its first step";
            d = new Decision(
                    d.action(),
                    event(step, "race-skipped")
                            .put("reason", why)
                            .put("old_level", s.level)
                            .put("new_level", s.level),
                    d.resumeAt());
        }
        return safeguards.reportStoppedUpscaling(step, d);
    }

    // ------------------------------------------------------------ shared by both comparisons
    /** Ends the search: outside the phase from now on, no snapshot in force. */
    void finish() {
        s.phase = "outside";
        s.finished = true;
        s.snapshotValid = false;
        s.window.clear();
    }

    void startWindow(String phase, int settle) {
        s.phase = phase;
        s.window.clear();
        s.settle = settle;
        s.snapshotValid = true;
    }

    /** Adds a loss to the window (after the settling steps); true when the window is full. */
    boolean collect(long step, double loss) {
        if (s.settle > 0) {
            s.settle--;
            return false;
        }
        s.window.add(new double[] {step, loss});
        if (s.window.size() >= windowLength()) {
            safeguards.checkAgainstMaximum(step);
            return true;
        }
        return false;
    }

    /**
     * Losses in a window. Paired: {@code first-window} of the planned steps for the first round
     * (a long first comparison that spans the end of warmup), then {@code climb-window} while the
     * search has only won its trials (far below the optimum the paired differences are many
     * standard errors, so a short window decides them), {@code window} from its first trial that
     * did not win on.
     */
    int windowLength() {
        if (!settings.paired()) {
            return settings.window();
        }
        if (s.racing) {
            return settings.raceSteps();
        }
        if (s.round == 0 && firstWindow > 0) {
            return firstWindow;
        }
        return s.refining || settings.climbWindow() == 0 ? settings.window() : settings.climbWindow();
    }

    LossWindow.Velocity velocity() {
        LossWindow w = new LossWindow();
        for (double[] p : s.window) {
            w.add((long) p[0], p[1]);
        }
        return w.velocity();
    }

    double alphaFactor() {
        return Math.max(Math.pow(settings.decay(), s.round) * settings.alpha(), 1.0);
    }

    double betaFactor() {
        return Math.max(Math.pow(settings.decay(), s.round) * settings.beta(), 1.0);
    }

    double clamp(double level) {
        return Math.min(settings.maxScale(), Math.max(settings.minScale(), level));
    }

    ObjectNode event(long step, String outcome) {
        ObjectNode e =
                JSON.createObjectNode().put("event", "adalrs").put("step", step).put("round", s.round);
        if (!outcome.isEmpty()) {
            e.put("outcome", outcome);
        }
        return e;
    }
}
