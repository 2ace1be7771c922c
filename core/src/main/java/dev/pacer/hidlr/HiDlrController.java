package dev.pacer.hidlr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Hi-DLR on the driver (DESIGN section 4): one learning-rate multiplier per parameter group,
 * moved by probes of the loss along each group's update direction.
 *
 * <p>A probe after step {@code t} evaluates, on one probe batch, the loss at the weights before
 * the step and at {@code ξ = o·η_k} along group {@code k}'s update direction {@code d_k} (the
 * step's change of the group divided by its rate {@code η_k}, so {@code ξ = η_k} is the step
 * taken), for every offset {@code o}. {@link CurvatureFit} gives {@code b_k}, {@code A_k} and
 * {@code R²}; a fit with {@code A_k > 0}, {@code b_k > 0} and {@code R² >= min-r2} proposes the
 * rate {@code b_k / A_k}, which is clipped to {@code [η_k/2, 2η_k]} and averaged with the old
 * rate (weight {@code smoothing} on the old), and kept within {@code max-multiplier} of the base
 * rate either way. Rates are kept as multipliers of the base rate
 * (peak × schedule × AdaLRS level), so the schedule's shape still applies between probes.
 *
 * <p>With AdaLRS on ({@code shapeOnly}), the multipliers of the trainable groups are normalised
 * to a parameter-weighted geometric mean of 1 after each probe: Hi-DLR sets the shape, AdaLRS
 * the level. Otherwise the multipliers are absolute.
 *
 * <p>Frozen mode: the influence {@code PPI_k = b_k² / (A_k · size_k)} (the loss decrease the
 * quadratic promises along the group, per parameter, times 2) is averaged over the first
 * {@code measure-probes} probes; then the groups above a threshold, or the best groups within a
 * budget of trainable parameters, stay trainable and the rest are frozen (rate 0, no gradient).
 */
public final class HiDlrController {

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
    private final double[] ppiSum;
    private final int[] ppiCount;
    private final boolean[] frozen;
    private int probes;
    private boolean freezeDecided;

    /**
     * @param shapeOnly   AdaLRS is on: normalise the multipliers, leave the level to AdaLRS
     * @param warmupSteps no probe before the warmup ends: its rates are not the ones to fit
     * @param every       steps between probes, see {@link HiDlrSettings#every}
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
        Arrays.fill(multipliers, 1.0);
        this.ppiSum = new double[k];
        this.ppiCount = new int[k];
        this.frozen = new boolean[k];
        settings.checkGroups(groups);
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
        return frozen[g] ? 0 : multipliers[g];
    }

    public boolean frozen(int g) {
        return frozen[g];
    }

    /** Whether any group is frozen. */
    public boolean anyFrozen() {
        for (boolean f : frozen) {
            if (f) {
                return true;
            }
        }
        return false;
    }

    /** Groups a probe covers (the trainable ones), in group order. */
    public int[] probedGroups() {
        int[] out = new int[groups.count()];
        int n = 0;
        for (int g = 0; g < groups.count(); g++) {
            if (!frozen[g]) {
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

    /**
     * Takes a probe's mean losses and updates the multipliers.
     *
     * @param step     the completed step the probe followed
     * @param baseRate the base rate of that step (peak × schedule × level); group {@code k} stepped at
     *                 {@code baseRate · multiplier(k)}
     * @param losses   mean loss per token: {@code losses[0]} at the weights before the step, then for each
     *                 probed group in order the loss at each offset in order
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
        double[] proposed = new double[groups.count()];
        Arrays.fill(proposed, Double.NaN);
        for (int j = 0; j < probed.length; j++) {
            int g = probed[j];
            double rate = baseRate * multipliers[g];
            double[] xi = new double[offs.length + 1];
            double[] y = new double[offs.length + 1];
            y[0] = losses[0];
            for (int o = 0; o < offs.length; o++) {
                xi[o + 1] = offs[o] * rate;
                y[o + 1] = losses[1 + j * offs.length + o];
            }
            CurvatureFit fit = rate > 0 ? CurvatureFit.of(xi, y) : null;
            String reason;
            if (fit == null) {
                reason = "rate is 0";
            } else if (!Double.isFinite(fit.b()) || !Double.isFinite(fit.a()) || !Double.isFinite(fit.r2())) {
                reason = "non-finite loss";
            } else if (!(fit.a() > 0)) {
                reason = "A <= 0";
            } else if (!(fit.b() > 0)) {
                reason = "b <= 0";
            } else if (fit.r2() < settings.minR2()) {
                reason = "R2 below " + settings.minR2();
            } else {
                reason = "";
                proposed[g] = fit.bestStep();
            }
            double ppi = fit != null && fit.a() > 0 && Double.isFinite(fit.b())
                    ? fit.b() * fit.b() / (fit.a() * groups.group(g).size())
                    : Double.NaN;
            if (!freezeDecided && Double.isFinite(ppi) && fit.r2() >= settings.minR2()) {
                ppiSum[g] += ppi;
                ppiCount[g]++;
            }
            fits.add(new GroupFit(
                    groups.group(g).name(),
                    groups.group(g).size(),
                    fit,
                    reason.isEmpty(),
                    reason,
                    proposed[g],
                    0,
                    0,
                    ppi));
        }
        // clip each accepted rate to [η/2, 2η], then average with the old one
        for (int g : probed) {
            if (!Double.isNaN(proposed[g])) {
                double old = multipliers[g];
                double target = Math.min(2 * old, Math.max(old / 2, proposed[g] / baseRate));
                double m = settings.smoothing() * old + (1 - settings.smoothing()) * target;
                // the fit is greedy and local: unbounded, it can ratchet a rate up probe after probe
                multipliers[g] = Math.min(settings.maxMultiplier(), Math.max(1 / settings.maxMultiplier(), m));
            }
        }
        if (shapeOnly) {
            normalise();
        }
        ObjectNode freezeEvent = null;
        if (settings.freeze().enabled()
                && !freezeDecided
                && probes >= settings.freeze().measureProbes()) {
            freezeEvent = decideFreeze(step);
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
        return new Outcome(done, probeEvent(step, baseRate, losses[0], done), freezeEvent);
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
            if (!frozen[g]) {
                logSum += groups.group(g).size() * Math.log(multipliers[g]);
                size += groups.group(g).size();
            }
        }
        return size > 0 ? Math.exp(logSum / size) : Double.NaN;
    }

    private ObjectNode decideFreeze(long step) {
        freezeDecided = true;
        int k = groups.count();
        double[] ppi = new double[k];
        double best = 0;
        for (int g = 0; g < k; g++) {
            ppi[g] = ppiCount[g] > 0 ? ppiSum[g] / ppiCount[g] : Double.NaN;
            if (ppi[g] > best) {
                best = ppi[g];
            }
        }
        HiDlrSettings.Freeze f = settings.freeze();
        boolean[] keep = new boolean[k];
        List<Integer> order = new ArrayList<>();
        for (int g = 0; g < k; g++) {
            // a group never measured well cannot be ranked: keep it rather than guess
            if (Double.isNaN(ppi[g])) {
                keep[g] = true;
            } else {
                order.add(g);
            }
        }
        order.sort(Comparator.comparingDouble((Integer g) -> -ppi[g]));
        if (f.rule().equals("threshold")) {
            for (int g : order) {
                keep[g] = ppi[g] >= f.threshold() * best;
            }
        } else {
            long budget = (long) Math.floor(f.budget() * groups.totalSize());
            long used = 0;
            for (int g = 0; g < k; g++) {
                if (keep[g]) {
                    used += groups.group(g).size();
                }
            }
            for (int g : order) {
                if (used + groups.group(g).size() <= budget) {
                    keep[g] = true;
                    used += groups.group(g).size();
                }
            }
        }
        if (!order.isEmpty() && !keep[order.get(0)] && noneKept(keep)) {
            keep[order.get(0)] = true; // never freeze the whole model
        }
        ObjectNode e = JSON.createObjectNode()
                .put("event", "hidlr_freeze")
                .put("step", step)
                .put("rule", f.rule())
                .put("probes_measured", probes);
        long trainable = 0;
        ArrayNode table = e.putArray("groups");
        for (int g = 0; g < k; g++) {
            frozen[g] = !keep[g];
            if (keep[g]) {
                trainable += groups.group(g).size();
            }
            ObjectNode row = table.addObject()
                    .put("group", groups.group(g).name())
                    .put("size", groups.group(g).size());
            number(row, "ppi", ppi[g]).put("measured", ppiCount[g]).put("kept", keep[g]);
            if (Double.isNaN(ppi[g])) {
                row.put("note", "no acceptable fit while measuring: kept");
            }
        }
        e.put("trainable_parameters", trainable)
                .put("total_parameters", groups.totalSize())
                .put("trainable_fraction", trainable / (double) groups.totalSize());
        return e;
    }

    private static boolean noneKept(boolean[] keep) {
        for (boolean b : keep) {
            if (b) {
                return false;
            }
        }
        return true;
    }

    private ObjectNode probeEvent(long step, double baseRate, double baseLoss, List<GroupFit> fits) {
        ObjectNode e = JSON.createObjectNode()
                .put("event", "hidlr_probe")
                .put("step", step)
                .put("probe", probes)
                .put("base_rate", baseRate)
                .put("loss", baseLoss)
                .put("shape_only", shapeOnly);
        ArrayNode arr = e.putArray("groups");
        for (GroupFit f : fits) {
            ObjectNode g = arr.addObject().put("group", f.group()).put("size", f.size());
            if (f.fit() != null) {
                number(
                        number(number(g, "b", f.fit().b()), "A", f.fit().a()),
                        "r2",
                        f.fit().r2());
            }
            g.put("accepted", f.accepted());
            if (!f.accepted()) {
                g.put("reason", f.reason());
            } else {
                g.put("best_rate", f.proposedRate());
            }
            number(g.put("rate", f.rate()).put("multiplier", f.multiplier()), "ppi", f.ppi());
        }
        return e;
    }

    /** Puts a number, or null when it is not finite (JSON has no NaN). */
    private static ObjectNode number(ObjectNode o, String key, double v) {
        return Double.isFinite(v) ? o.put(key, v) : o.putNull(key);
    }

    /** The whole state, for checkpoints. */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode()
                .put("probes", probes)
                .put("freeze_decided", freezeDecided)
                .put("grouping", settings.grouping().id());
        ObjectNode gs = o.putObject("groups");
        for (int g = 0; g < groups.count(); g++) {
            gs.putObject(groups.group(g).name())
                    .put("multiplier", multipliers[g])
                    .put("ppi_sum", ppiSum[g])
                    .put("ppi_count", ppiCount[g])
                    .put("frozen", frozen[g]);
        }
        return o;
    }

    /** Restores a state written by {@link #toJson}; refuses one of another grouping. */
    public void restore(JsonNode json) {
        JsonNode gs = json.path("groups");
        if (!json.path("grouping").asText("").equals(settings.grouping().id()) || gs.size() != groups.count()) {
            throw new IllegalArgumentException("the checkpoint's Hi-DLR state has grouping '"
                    + json.path("grouping").asText("?") + "' with " + gs.size() + " groups, this run groups by '"
                    + settings.grouping().id() + "' into " + groups.count()
                    + "; resume with the checkpoint's pacer.hidlr.grouping or start a new run directory");
        }
        for (int g = 0; g < groups.count(); g++) {
            JsonNode n = gs.get(groups.group(g).name());
            if (n == null) {
                throw new IllegalArgumentException("the checkpoint's Hi-DLR state has no group '"
                        + groups.group(g).name() + "'; start a new run directory");
            }
            multipliers[g] = n.path("multiplier").asDouble();
            ppiSum[g] = n.path("ppi_sum").asDouble();
            ppiCount[g] = n.path("ppi_count").asInt();
            frozen[g] = n.path("frozen").asBoolean();
        }
        probes = json.path("probes").asInt();
        freezeDecided = json.path("freeze_decided").asBoolean();
    }
}
