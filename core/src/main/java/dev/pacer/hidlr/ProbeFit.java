package dev.pacer.hidlr;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns one probe's losses into a rate proposal per probed group, or the reason there is none.
 *
 * <p>Group {@code k}'s losses are the loss at the weights before the step ({@code ξ = 0}) and at
 * {@code ξ = o·η_k} along its update direction for every offset {@code o}; {@link CurvatureFit}
 * fits {@code b_k}, {@code A_k} and {@code R²} through them. Only a fit with {@code A_k > 0},
 * {@code b_k > 0} and {@code R² >= min-r2} proposes the rate {@code b_k / A_k}: a concave or rising
 * loss has no best step, and a poor fit's minimum is noise. What the proposals do to the rates is
 * the controller's business, what they say about a group's influence the {@link FreezePolicy}'s.
 */
final class ProbeFit {

    /**
     * One probed group's fit and its verdict.
     *
     * @param group the group's index
     * @param fit null when the group's rate was 0 (no points apart to fit)
     * @param rejection why the fit proposes no rate; empty when it proposes one
     */
    record Proposal(int group, CurvatureFit fit, String rejection) {

        boolean accepted() {
            return rejection.isEmpty();
        }

        /** The rate the fit proposes, {@code b / A}; NaN when it proposes none. */
        double bestRate() {
            return accepted() ? fit.bestStep() : Double.NaN;
        }
    }

    private final double[] offsets;
    private final double minR2;

    ProbeFit(double[] offsets, double minR2) {
        this.offsets = offsets;
        this.minR2 = minR2;
    }

    /**
     * Fits each probed group.
     *
     * @param probed the probed groups in probe order
     * @param rates each probed group's rate in the step the probe followed
     * @param losses mean loss per token: {@code losses[0]} at the weights before the step, then for
     *     each probed group in order the loss at each offset in order
     */
    List<Proposal> fit(int[] probed, double[] rates, double[] losses) {
        int expected = 1 + offsets.length * probed.length;
        if (losses.length != expected) {
            throw new IllegalArgumentException("probe returned " + losses.length + " losses, expected " + expected);
        }
        List<Proposal> proposals = new ArrayList<>(probed.length);
        for (int j = 0; j < probed.length; j++) {
            CurvatureFit fit = fitGroup(j, rates[j], losses);
            proposals.add(new Proposal(probed[j], fit, rejection(fit)));
        }
        return proposals;
    }

    /** The fit of the {@code j}-th probed group, stepped at {@code rate}; null when the rate is 0. */
    private CurvatureFit fitGroup(int j, double rate, double[] losses) {
        double[] xi = new double[offsets.length + 1];
        double[] y = new double[offsets.length + 1];
        y[0] = losses[0];
        for (int o = 0; o < offsets.length; o++) {
            xi[o + 1] = offsets[o] * rate;
            y[o + 1] = losses[1 + j * offsets.length + o];
        }
        return rate > 0 ? CurvatureFit.of(xi, y) : null;
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
        } else if (fit.r2() < minR2) {
            return "R2 below " + minR2;
        }
        return "";
    }
}
