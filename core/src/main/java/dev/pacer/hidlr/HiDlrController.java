package dev.pacer.hidlr;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.model.ParameterLayout;
import dev.pacer.rates.RateController;
import dev.pacer.rates.StepRates;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hi-DLR (Xu, Bu, Zhang, Barnett, 2025; docs/design.md): one learning-rate multiplier per
 * parameter group, moved by probes of the loss along each group's update direction.
 *
 * <p>A probe after step {@code t} evaluates, on one probe batch, the loss at the weights before the
 * step and at {@code ξ = o·η_k} along group {@code k}'s update direction {@code d_k} (the step's
 * change of the group divided by its rate {@code η_k}, so {@code ξ = η_k} is the step taken), for
 * every offset {@code o}. This controller owns the rates and their checkpointed state and leaves each
 * concern to its own class: {@link ProbeSchedule} which steps are probed and at what cost,
 * {@link ProbeFit} how a probe's losses become a proposed rate per group (or why not),
 * {@link GroupMultipliers} how proposals move the rates (and AdaLRS's shape-only mode), and
 * {@link FreezePolicy} which groups stop training.
 */
public final class HiDlrController implements RateController<HiDlrState> {

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
    private final ProbeSchedule schedule;
    private final ProbeFit probeFit;
    private final FreezePolicy freeze;

    private final GroupMultipliers multipliers;
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
        this.schedule = new ProbeSchedule(warmupSteps, maxSteps, every, settings.offsets());
        this.settings = settings;
        this.groups = groups;
        this.shapeOnly = shapeOnly;
        this.probeFit = new ProbeFit(settings.offsets(), settings.minR2());
        this.freeze = new FreezePolicy(settings.freeze(), groups, settings.minR2());
        this.multipliers = new GroupMultipliers(settings, groups, shapeOnly, this::frozen);
    }

    /** Whether a probe follows completed step {@code done} (1-based). */
    public boolean probeDue(long done) {
        return schedule.due(done) && probedGroups().length > 0;
    }

    /** Multiplier of group {@code g}'s rate over the base rate; 0 when frozen. */
    public double multiplier(int g) {
        return frozen(g) ? 0 : multipliers.get(g);
    }

    public boolean frozen(int g) {
        return freeze.frozen[g];
    }

    @Override
    public void shape(long step, StepRates rates) {
        for (int t = 0; t < rates.tensors(); t++) {
            int g = groups.groupOf(t);
            if (frozen(g)) {
                rates.freeze(t);
            } else {
                rates.setMultiplier(t, multipliers.get(g));
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
        return freeze.trainable();
    }

    /** Offsets of a probe, in units of each group's rate. */
    public double[] offsets() {
        return schedule.offsets();
    }

    /** Forward passes of a probe: one at the current weights plus one per offset and probed group. */
    public int forwardsPerProbe() {
        return schedule.forwards(probedGroups().length);
    }

    /** The points of a probe after a step taken at base rate {@code lr}. */
    public ProbePlan probePlan(ParameterLayout layout, double lr) {
        int[] probed = probedGroups();
        return ProbePlan.of(layout, groups, probed, multipliers.rates(probed, lr), schedule.offsets());
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
        List<ProbeFit.Proposal> proposals = probeFit.fit(probed, multipliers.rates(probed, baseRate), losses);
        probes++;
        double[] ppi = influences(proposals);
        for (ProbeFit.Proposal p : proposals) {
            if (p.accepted()) {
                multipliers.smoothTowards(p.group(), p.bestRate() / baseRate);
            }
        }
        multipliers.normaliseShape();
        ObjectNode freezeEvent = null;
        if (freeze.due(probes)) {
            freezeEvent = freeze.decide(step, probes);
            multipliers.normaliseShape();
        }
        List<GroupFit> fits = results(proposals, ppi, baseRate);
        return new Outcome(fits, HiDlrEvents.probe(step, probes, baseRate, losses[0], shapeOnly, fits), freezeEvent);
    }

    /** Each proposal's group influence, which the freeze policy counts while it measures. */
    private double[] influences(List<ProbeFit.Proposal> proposals) {
        double[] ppi = new double[proposals.size()];
        for (int j = 0; j < ppi.length; j++) {
            ProbeFit.Proposal p = proposals.get(j);
            ppi[j] = freeze.influence(p.group(), p.fit());
            freeze.measure(p.group(), p.fit(), ppi[j]);
        }
        return ppi;
    }

    /** The probe's result per group, with the rates the proposals and any freezing left. */
    private List<GroupFit> results(List<ProbeFit.Proposal> proposals, double[] ppi, double baseRate) {
        List<GroupFit> fits = new ArrayList<>();
        for (int j = 0; j < proposals.size(); j++) {
            ProbeFit.Proposal p = proposals.get(j);
            ParameterGroups.Group group = groups.group(p.group());
            double m = multiplier(p.group());
            fits.add(new GroupFit(
                    group.name(),
                    group.size(),
                    p.fit(),
                    p.accepted(),
                    p.rejection(),
                    p.bestRate(),
                    baseRate * m,
                    m,
                    ppi[j]));
        }
        return fits;
    }

    /** The parameter-weighted geometric mean of the trainable groups' multipliers. */
    public double geometricMeanMultiplier() {
        return multipliers.geometricMean();
    }

    /** The event announcing the grouping and probe cost, logged once when a run starts. */
    public ObjectNode planEvent(int probeSequences, int globalBatch) {
        int probed = probedGroups().length;
        return HiDlrEvents.plan(
                settings.grouping().id(),
                schedule.every(),
                schedule.forwards(probed),
                probeSequences,
                schedule.overhead(probed, probeSequences, globalBatch),
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
                    new HiDlrState.Group(multipliers.get(g), freeze.ppiSum[g], freeze.ppiCount[g], freeze.frozen[g]));
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
            multipliers.restore(g, n.multiplier());
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
