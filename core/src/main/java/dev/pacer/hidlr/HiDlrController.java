package dev.pacer.hidlr;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.model.ParameterLayout;
import dev.pacer.rates.RateController;
import dev.pacer.rates.StepRates;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hi-DLR (Xu, Bu, Zhang, Barnett, 2025; docs/design.md): one learning-rate multiplier per
 * parameter group, moved by probes of the loss along each group's update direction.
 *
 * <p>A probe after step {@code t} evaluates, on one probe batch, the loss at the weights before
 * the step and at {@code ξ = o·η_k} along group {@code k}'s update direction {@code d_k} (the
 * step's change of the group divided by its rate {@code η_k}, so {@code ξ = η_k} is the step
 * taken), for every offset {@code o}. {@link CurvatureFit} gives {@code b_k}, {@code A_k} and
 * {@code R²}; a fit with {@code A_k > 0}, {@code b_k > 0} and {@code R² >= min-r2} proposes the
 * rate {@code b_k / A_k}, which is clipped to {@code [η_k/2, 2η_k]} and averaged with the old rate
 * (weight {@code smoothing} on the old), and kept within {@code max-multiplier} of the base rate
 * either way. Rates are kept as multipliers of the base rate (peak × schedule × AdaLRS level), so
 * the schedule's shape still applies between probes.
 *
 * <p>With AdaLRS on ({@code shapeOnly}), the multipliers of the trainable groups are normalised to
 * a parameter-weighted geometric mean of 1 after each probe: Hi-DLR sets the shape, AdaLRS the
 * level. Otherwise the multipliers are absolute. Frozen groups are the {@link FreezePolicy}'s.
 */
public final class HiDlrController implements RateController<HiDlrState> {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One group's result in a probe. */
    public record GroupFit(
            String group,
            long size,
            CurvatureFit fit,
            boolean accepted,
            String reason,
            double proposedRate,
            double rate,
            double multiplier,
            double ppi) {}

    /** What a probe changed, and the events to log. */
    public record Outcome(List<GroupFit> fits, ObjectNode probeEvent, ObjectNode freezeEvent) {}

    private final HiDlrSettings settings;
    private final ParameterGroups groups;
    private final boolean shapeOnly;
    private final long firstProbe;
    private final long every;
    private final long maxSteps;

    private final double[] multipliers;
    private final FreezePolicy freeze;
    private int probes;

    /**
     * @param shapeOnly AdaLRS is on: normalise the multipliers, leave the level to AdaLRS
     * @param warmupSteps no probe before the warmup ends: its rates are not the ones to fit
     * @param every steps between probes, see {@link HiDlrSettings#every}
     */
    public HiDlrController(
            HiDlrSettings settings,
            ParameterGroups groups,
            boolean shapeOnly,
            long warmupSteps,
            long maxSteps,
            long every) {
        if (every < 1) {
            throw new IllegalArgumentException("probe interval must be >= 1, got " + every);
        }
        this.settings = settings;
        this.groups = groups;
        this.shapeOnly = shapeOnly;
        this.every = every;
        this.maxSteps = maxSteps;
        this.firstProbe = Math.max(every, (warmupSteps + every - 1) / every * every);
        int k = groups.count();
        this.multipliers = new double[k];
        this.freeze = new FreezePolicy(settings.freeze(), groups, settings.minR2());
        for (int g = 0; g < k; g++) {
            multipliers[g] =
                    settings.initialMultipliers().getOrDefault(groups.group(g).name(), 1.0);
        }
        if (shapeOnly) {
            normalise();
        }
    }

    public ParameterGroups groups() {
        return groups;
    }

    public long every() {
        return every;
    }

    /** Whether a probe follows completed step {@code done} (1-based). */
    public boolean probeDue(long done) {
        return done >= firstProbe && done % every == 0 && done < maxSteps && probedGroups().length > 0;
    }

    /** Multiplier of group {@code g}'s rate over the base rate; 0 when frozen. */
    public double multiplier(int g) {
        return frozen(g) ? 0 : multipliers[g];
    }

    public boolean frozen(int g) {
        return freeze.frozen[g];
    }

    /** Whether any group is frozen. */
    public boolean anyFrozen() {
        for (boolean f : freeze.frozen) {
            if (f) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void shape(long step, StepRates rates) {
        for (int t = 0; t < rates.tensors(); t++) {
            int g = groups.groupOf(t);
            if (frozen(g)) {
                rates.freeze(t);
            } else {
                rates.setMultiplier(t, multipliers[g]);
            }
        }
    }

    /** Each group's rate at base rate {@code lr}, by name in group order (0 for a frozen group). */
    public Map<String, Double> groupRates(double lr) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int g = 0; g < groups.count(); g++) {
            m.put(groups.group(g).name(), lr * multiplier(g));
        }
        return m;
    }

    /** Groups a probe covers (the trainable ones), in group order. */
    public int[] probedGroups() {
        int[] out = new int[groups.count()];
        int n = 0;
        for (int g = 0; g < groups.count(); g++) {
            if (!frozen(g)) {
                out[n++] = g;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** Offsets of a probe, in units of each group's rate. */
    public double[] offsets() {
        return settings.offsets();
    }

    /** Forward passes of a probe: one at the current weights plus one per offset and probed group. */
    public int forwardsPerProbe() {
        return 1 + settings.offsets().length * probedGroups().length;
    }

    /** The points of a probe after a step taken at base rate {@code lr}. */
    public ProbePlan probePlan(ParameterLayout layout, double lr) {
        int[] probed = probedGroups();
        double[] rates = new double[probed.length];
        for (int j = 0; j < probed.length; j++) {
            rates[j] = lr * multiplier(probed[j]);
        }
        return ProbePlan.of(layout, groups, probed, rates, settings.offsets());
    }

    /**
     * Takes a probe's mean losses and updates the multipliers.
     *
     * @param step the completed step the probe followed
     * @param baseRate the base rate of that step (peak × schedule × level); group {@code k} stepped at
     *     {@code baseRate · multiplier(k)}
     * @param losses mean loss per token: {@code losses[0]} at the weights before the step, then for each
     *     probed group in order the loss at each offset in order
     */
    public Outcome update(long step, double baseRate, double[] losses) {
        int[] probed = probedGroups();
        double[] offs = settings.offsets();
        if (losses.length != 1 + offs.length * probed.length) {
            throw new IllegalArgumentException(
                    "probe returned " + losses.length + " losses, expected " + (1 + offs.length * probed.length));
        }
        probes++;
        List<GroupFit> fits = new ArrayList<>();
        for (int j = 0; j < probed.length; j++) {
            fits.add(fit(probed[j], j, baseRate, offs, losses));
        }
        for (int j = 0; j < probed.length; j++) {
            if (fits.get(j).accepted()) {
                smoothTowards(probed[j], fits.get(j).proposedRate() / baseRate);
            }
        }
        if (shapeOnly) {
            normalise();
        }
        ObjectNode freezeEvent = null;
        if (freeze.due(probes)) {
            freezeEvent = freeze.decide(step, probes);
            if (shapeOnly) {
                normalise();
            }
        }
        List<GroupFit> done = new ArrayList<>();
        for (int j = 0; j < probed.length; j++) {
            GroupFit f = fits.get(j);
            int g = probed[j];
            done.add(new GroupFit(
                    f.group(),
                    f.size(),
                    f.fit(),
                    f.accepted(),
                    f.reason(),
                    f.proposedRate(),
                    baseRate * multiplier(g),
                    multiplier(g),
                    f.ppi()));
        }
        return new Outcome(done, HiDlrEvents.probe(step, probes, baseRate, losses[0], shapeOnly, done), freezeEvent);
    }

    /** Fits probed group {@code g} (the {@code j}-th probed) and judges the fit. */
    private GroupFit fit(int g, int j, double baseRate, double[] offs, double[] losses) {
        double rate = baseRate * multipliers[g];
        double[] xi = new double[offs.length + 1];
        double[] y = new double[offs.length + 1];
        y[0] = losses[0];
        for (int o = 0; o < offs.length; o++) {
            xi[o + 1] = offs[o] * rate;
            y[o + 1] = losses[1 + j * offs.length + o];
        }
        CurvatureFit fit = rate > 0 ? CurvatureFit.of(xi, y) : null;
        String reason = rejection(fit);
        double ppi = freeze.influence(g, fit);
        freeze.measure(g, fit, ppi);
        ParameterGroups.Group group = groups.group(g);
        return new GroupFit(
                group.name(),
                group.size(),
                fit,
                reason.isEmpty(),
                reason,
                reason.isEmpty() ? fit.bestStep() : Double.NaN,
                0,
                0,
                ppi);
    }

    /** Why a fit proposes no rate, or "" when it does. */
    private String rejection(CurvatureFit fit) {
        if (fit == null) {
            return "rate is 0";
        } else if (!Double.isFinite(fit.b()) || !Double.isFinite(fit.a()) || !Double.isFinite(fit.r2())) {
            return "non-finite loss";
        } else if (!(fit.a() > 0)) {
            return "A <= 0";
        } else if (!(fit.b() > 0)) {
            return "b <= 0";
        } else if (fit.r2() < settings.minR2()) {
            return "R2 below " + settings.minR2();
        }
        return "";
    }

    /** GeN's smoothing: clip the proposal to [η/2, 2η], average with the old, bound it. */
    private void smoothTowards(int g, double proposed) {
        double old = multipliers[g];
        double target = Math.min(2 * old, Math.max(old / 2, proposed));
        double m = settings.smoothing() * old + (1 - settings.smoothing()) * target;
        // the fit is greedy and local: unbounded, it can ratchet a rate up probe after probe
        multipliers[g] = Math.min(settings.maxMultiplier(), Math.max(1 / settings.maxMultiplier(), m));
    }

    /** Divides the trainable multipliers by their parameter-weighted geometric mean. */
    private void normalise() {
        double mean = geometricMeanMultiplier();
        if (!Double.isNaN(mean)) {
            for (int g = 0; g < groups.count(); g++) {
                multipliers[g] /= mean;
            }
        }
    }

    /** The parameter-weighted geometric mean of the trainable groups' multipliers. */
    public double geometricMeanMultiplier() {
        double logSum = 0;
        double size = 0;
        for (int g = 0; g < groups.count(); g++) {
            if (!frozen(g)) {
                logSum += groups.group(g).size() * Math.log(multipliers[g]);
                size += groups.group(g).size();
            }
        }
        return size > 0 ? Math.exp(logSum / size) : Double.NaN;
    }

    /** The event announcing the grouping and probe cost, logged once when a run starts. */
    public ObjectNode planEvent(int probeSequences, int globalBatch) {
        double share = forwardsPerProbe() * (double) probeSequences / (3.0 * globalBatch * every);
        return HiDlrEvents.plan(
                settings.grouping().id(),
                every,
                forwardsPerProbe(),
                probeSequences,
                share,
                shapeOnly,
                groups,
                freeze.frozen);
    }

    @Override
    public HiDlrState state() {
        Map<String, HiDlrState.Group> gs = new LinkedHashMap<>();
        for (int g = 0; g < groups.count(); g++) {
            gs.put(
                    groups.group(g).name(),
                    new HiDlrState.Group(multipliers[g], freeze.ppiSum[g], freeze.ppiCount[g], freeze.frozen[g]));
        }
        return new HiDlrState(probes, freeze.decided, settings.grouping().id(), gs);
    }

    /** Restores a state written by {@link #state}; refuses one of another grouping. */
    @Override
    public void restore(HiDlrState state) {
        Map<String, HiDlrState.Group> gs = state.groups() == null ? Map.of() : state.groups();
        if (!settings.grouping().id().equals(state.grouping()) || gs.size() != groups.count()) {
            throw new IllegalArgumentException("the checkpoint's Hi-DLR state has grouping '"
                    + state.grouping() + "' with " + gs.size() + " groups, this run groups by '"
                    + settings.grouping().id() + "' into " + groups.count()
                    + "; resume with the checkpoint's pacer.hidlr.grouping or start a new run directory");
        }
        for (int g = 0; g < groups.count(); g++) {
            HiDlrState.Group n = gs.get(groups.group(g).name());
            if (n == null) {
                throw new IllegalArgumentException("the checkpoint's Hi-DLR state has no group '"
                        + groups.group(g).name() + "'; start a new run directory");
            }
            multipliers[g] = n.multiplier();
            freeze.ppiSum[g] = n.ppiSum();
            freeze.ppiCount[g] = n.ppiCount();
            freeze.frozen[g] = n.frozen();
        }
        probes = state.probes();
        freeze.decided = state.freezeDecided();
    }

    @Override
    public Class<HiDlrState> stateType() {
        return HiDlrState.class;
    }
}
