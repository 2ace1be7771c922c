package dev.pacer.hidlr;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Hi-DLR's parameter-efficient mode (docs/design.md): the influence {@code PPI_k = b_k² / (A_k ·
 * size_k)} of each group (the loss decrease the quadratic promises along the group, per parameter,
 * times 2) is averaged over the first {@code measure-probes} probes, over the fits good enough to
 * trust; then the groups above a threshold, or the best groups within a budget of trainable
 * parameters, stay trainable and the rest are frozen (rate 0, no gradient) for the rest of the run.
 */
final class FreezePolicy {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HiDlrSettings.Freeze settings;
    private final ParameterGroups groups;
    private final double minR2;
    final double[] ppiSum;
    final int[] ppiCount;
    final boolean[] frozen;
    boolean decided;

    FreezePolicy(HiDlrSettings.Freeze settings, ParameterGroups groups, double minR2) {
        this.settings = settings;
        this.groups = groups;
        this.minR2 = minR2;
        int k = groups.count();
        this.ppiSum = new double[k];
        this.ppiCount = new int[k];
        this.frozen = new boolean[k];
    }

    /** The groups still trainable, in group order: the ones a probe covers. */
    int[] trainable() {
        int[] out = new int[frozen.length];
        int n = 0;
        for (int g = 0; g < frozen.length; g++) {
            if (!frozen[g]) {
                out[n++] = g;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** Group {@code g}'s influence from its fit: NaN without a curvature to divide by. */
    double influence(int g, CurvatureFit fit) {
        return fit != null && fit.a() > 0 && Double.isFinite(fit.b())
                ? fit.b() * fit.b() / (fit.a() * groups.group(g).size())
                : Double.NaN;
    }

    /** Counts a probe's influence of group {@code g} while measuring, if its fit is good enough. */
    void measure(int g, CurvatureFit fit, double ppi) {
        if (!decided && Double.isFinite(ppi) && fit.r2() >= minR2) {
            ppiSum[g] += ppi;
            ppiCount[g]++;
        }
    }

    /** Whether the decision is due after the {@code probes}-th probe. */
    boolean due(int probes) {
        return settings.enabled() && !decided && probes >= settings.measureProbes();
    }

    /** Freezes the groups of low influence by the configured rule; returns the event. */
    ObjectNode decide(long step, int probes) {
        decided = true;
        int k = groups.count();
        double[] ppi = new double[k];
        double best = 0;
        for (int g = 0; g < k; g++) {
            ppi[g] = ppiCount[g] > 0 ? ppiSum[g] / ppiCount[g] : Double.NaN;
            if (ppi[g] > best) {
                best = ppi[g];
            }
        }
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
        if (settings.rule() == HiDlrSettings.Freeze.Rule.THRESHOLD) {
            for (int g : order) {
                keep[g] = ppi[g] >= settings.threshold() * best;
            }
        } else {
            keepWithinBudget(order, keep);
        }
        if (!order.isEmpty() && !keep[order.get(0)] && noneKept(keep)) {
            keep[order.get(0)] = true; // never freeze the whole model
        }
        for (int g = 0; g < k; g++) {
            frozen[g] = !keep[g];
        }
        return event(step, probes, ppi, keep);
    }

    /** The budget rule: the best groups, in order of influence, while their parameters fit. */
    private void keepWithinBudget(List<Integer> order, boolean[] keep) {
        long budget = (long) Math.floor(settings.budget() * groups.totalSize());
        long used = 0;
        for (int g = 0; g < keep.length; g++) {
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

    private ObjectNode event(long step, int probes, double[] ppi, boolean[] keep) {
        ObjectNode e = JSON.createObjectNode()
                .put("event", "hidlr_freeze")
                .put("step", step)
                .put("rule", settings.rule().id())
                .put("probes_measured", probes);
        long trainable = 0;
        ArrayNode table = e.putArray("groups");
        for (int g = 0; g < keep.length; g++) {
            if (keep[g]) {
                trainable += groups.group(g).size();
            }
            ObjectNode row = table.addObject()
                    .put("group", groups.group(g).name())
                    .put("size", groups.group(g).size());
            HiDlrEvents.number(row, "ppi", ppi[g]).put("measured", ppiCount[g]).put("kept", keep[g]);
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
}
