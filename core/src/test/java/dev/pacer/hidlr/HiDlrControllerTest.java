package dev.pacer.hidlr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.config.ConfigError;
import dev.pacer.model.GptConfig;
import dev.pacer.model.ParameterLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Hi-DLR against a quadratic loss {@code L(w) = ½ Σ h_i (w_i − c_i)²} whose curvature differs per
 * group: along group k's direction d, {@code b_k = Σ g_i d_i} and {@code A_k = Σ h_i d_i²} in closed
 * form, so the fitted values and the proposed rates {@code b_k / A_k} can be checked exactly.
 */
class HiDlrControllerTest {

    /**
     * The probe moves float32 weights: {@code w − ξd} is rounded to float, which perturbs the loss
     * differences the fit sees by about 1e-7 relative to w. With the values below that bounds the
     * error of b and A to well under 1e-3 relative; that is the tolerance.
     */
    private static final double REL_TOL = 1e-3;

    private static final double[] CURVATURE = {2, 0.5, 8, 4, 1, 3}; // per kind group

    private final ParameterLayout layout = new ParameterLayout(new GptConfig(11, 5, 4, 2, 2, 1e-5));
    private final ParameterGroups groups = ParameterGroups.of(layout, ParameterGroups.Strategy.KIND);
    private final int n = layout.totalSize();
    private final double[] h = new double[n];
    private final double[] centre = new double[n];
    private final float[] w = new float[n];
    private final float[] d = new float[n];

    HiDlrControllerTest() {
        SplittableRandom rng = new SplittableRandom(11);
        for (int t = 0; t < layout.tensors().size(); t++) {
            var spec = layout.tensors().get(t);
            for (int i = spec.offset(); i < spec.offset() + spec.size(); i++) {
                h[i] = CURVATURE[groups.groupOf(t)] * (0.5 + rng.nextDouble());
                centre[i] = rng.nextGaussian();
                w[i] = (float) (centre[i] + 0.5 * rng.nextGaussian());
                // the gradient as direction (SGD): the best step along group k is then about 1/h_k
                d[i] = (float) (h[i] * (w[i] - centre[i]));
            }
        }
    }

    private double loss(float[] x) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            double e = x[i] - centre[i];
            s += 0.5 * h[i] * e * e;
        }
        return s;
    }

    private double[] closedForm(int g) {
        double b = 0;
        double a = 0;
        for (int t : groups.group(g).tensors()) {
            var spec = layout.tensors().get(t);
            for (int i = spec.offset(); i < spec.offset() + spec.size(); i++) {
                b += h[i] * (w[i] - centre[i]) * d[i];
                a += h[i] * d[i] * (double) d[i];
            }
        }
        return new double[] {b, a};
    }

    private static HiDlrSettings settings(double minR2, boolean freeze, HiDlrSettings.Freeze.Rule rule, double budget) {
        return new HiDlrSettings(
                true,
                ParameterGroups.Strategy.KIND,
                0,
                0.1,
                0,
                new double[] {-2, -1, 1, 2},
                minR2,
                0.9,
                10,
                HiDlrSettings.Mode.AUTO,
                new HiDlrSettings.Freeze(freeze, 1, rule, budget, 0.1),
                Map.of());
    }

    private double[] probe(HiDlrController c, double baseRate) {
        int[] probed = c.probedGroups();
        double[] rates = new double[probed.length];
        for (int j = 0; j < probed.length; j++) {
            rates[j] = baseRate * c.multiplier(probed[j]);
        }
        return ProbePlan.of(layout, groups, probed, rates, c.offsets()).evaluate(this::loss, w, d);
    }

    @Test
    void fitsEqualTheClosedFormAndRatesMoveAsGeNSmooths() {
        HiDlrController c = new HiDlrController(
                settings(0.9, false, HiDlrSettings.Freeze.Rule.BUDGET, 1), groups, false, 0, 1000, 10);
        double base = 0.3; // best steps range 0.1 .. 2: some clip up, some down, some not at all
        HiDlrController.Outcome out = c.update(10, base, probe(c, base));
        assertEquals(6, out.fits().size());
        for (int g = 0; g < 6; g++) {
            HiDlrController.GroupFit f = out.fits().get(g);
            double[] ba = closedForm(g);
            assertEquals(ba[0], f.fit().b(), REL_TOL * Math.abs(ba[0]), f.group() + " b");
            assertEquals(ba[1], f.fit().a(), REL_TOL * ba[1], f.group() + " A");
            assertTrue(f.accepted(), f.group() + ": " + f.reason());
            double best = ba[0] / ba[1];
            assertEquals(best, f.proposedRate(), 2 * REL_TOL * best, f.group() + " rate");
            double target = Math.min(2, Math.max(0.5, best / base));
            assertEquals(0.9 + 0.1 * target, c.multiplier(g), 2 * REL_TOL, f.group() + " multiplier");
            assertEquals(base * c.multiplier(g), f.rate(), 1e-15);
            assertEquals(ba[0] * ba[0] / (ba[1] * groups.group(g).size()), f.ppi(), 3 * REL_TOL * f.ppi());
        }
        JsonNode e = out.probeEvent();
        assertEquals("hidlr_probe", e.get("event").asText());
        assertEquals(6, e.get("groups").size());
        for (String field : List.of("b", "A", "r2", "rate", "ppi")) {
            assertTrue(e.get("groups").get(0).has(field), field);
        }
    }

    @Test
    void noisyFitsAreRejectedByTheRSquaredRule() {
        HiDlrController c = new HiDlrController(
                settings(0.9, false, HiDlrSettings.Freeze.Rule.BUDGET, 1), groups, false, 0, 1000, 10);
        double base = 0.01;
        double[] losses = probe(c, base);
        // swamp the bias group's four points (the last four) with noise 100x its loss variation
        double spread = Math.abs(losses[losses.length - 1] - losses[0]);
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = losses.length - 4; i < losses.length; i++) {
            losses[i] += 100 * spread * rng.nextGaussian();
        }
        HiDlrController.Outcome out = c.update(10, base, losses);
        HiDlrController.GroupFit bias = out.fits().get(5);
        assertTrue(bias.fit().r2() < 0.9, "R2 " + bias.fit().r2());
        assertFalse(bias.accepted());
        assertTrue(
                bias.reason().startsWith("R2 below")
                        || bias.reason().startsWith("A <=")
                        || bias.reason().startsWith("b <="),
                bias.reason());
        assertEquals(1.0, c.multiplier(5), 0.0, "a rejected fit leaves the rate alone");
        assertTrue(out.fits().get(2).accepted(), "the clean groups still count");
    }

    @Test
    void shapeNormalisationKeepsTheLevelAdaLrsSets() {
        HiDlrController absolute = new HiDlrController(
                settings(0.9, false, HiDlrSettings.Freeze.Rule.BUDGET, 1), groups, false, 0, 1000, 10);
        HiDlrController shape = new HiDlrController(
                settings(0.9, false, HiDlrSettings.Freeze.Rule.BUDGET, 1), groups, true, 0, 1000, 10);
        double level = 3.0; // AdaLRS's level times the schedule: the base rate both see
        double base = 0.1 * level;
        for (int round = 0; round < 3; round++) {
            absolute.update(10L * (round + 1), base, probe(absolute, base));
            shape.update(10L * (round + 1), base, probe(shape, base));
            assertEquals(1.0, shape.geometricMeanMultiplier(), 1e-12);
            // the parameter-weighted geometric mean of the rates used is exactly the base rate
            double logSum = 0;
            for (int g = 0; g < 6; g++) {
                logSum += groups.group(g).size() * Math.log(base * shape.multiplier(g));
            }
            assertEquals(base, Math.exp(logSum / groups.totalSize()), 1e-12 * base);
        }
        // the shape still moves: the groups differ in curvature by 16x
        assertTrue(shape.multiplier(1) / shape.multiplier(2) > 1.5);
        assertEquals(
                absolute.multiplier(1) / absolute.multiplier(0),
                shape.multiplier(1) / shape.multiplier(0),
                0.3,
                "in the first round both modes see the same fit, so the shapes stay close");
    }

    @Test
    void freezeKeepsTheGroupsOfHighestInfluenceWithinTheBudget() {
        HiDlrController c = new HiDlrController(
                settings(0.9, true, HiDlrSettings.Freeze.Rule.BUDGET, 0.5), groups, false, 0, 1000, 10);
        HiDlrController.Outcome out = c.update(10, 0.01, probe(c, 0.01));
        // expected by hand: rank the closed-form PPI, take greedily what fits in half the parameters
        List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5));
        double[] ppi = new double[6];
        for (int g = 0; g < 6; g++) {
            double[] ba = closedForm(g);
            ppi[g] = ba[0] * ba[0] / (ba[1] * groups.group(g).size());
        }
        order.sort((x, y) -> Double.compare(ppi[y], ppi[x]));
        boolean[] keep = new boolean[6];
        long used = 0;
        for (int g : order) {
            if (used + groups.group(g).size() <= groups.totalSize() / 2) {
                keep[g] = true;
                used += groups.group(g).size();
            }
        }
        assertTrue(out.freezeEvent() != null);
        for (int g = 0; g < 6; g++) {
            assertEquals(!keep[g], c.frozen(g), groups.group(g).name());
            if (!keep[g]) {
                assertEquals(0.0, c.multiplier(g));
            }
        }
        assertEquals(used, out.freezeEvent().get("trainable_parameters").asLong());
        int kept = (int)
                java.util.stream.IntStream.range(0, 6).filter(g -> keep[g]).count();
        assertEquals(1 + 4 * kept, c.forwardsPerProbe(), "frozen groups are no longer probed");
    }

    @Test
    void stateRoundTripsAndRefusesAnotherGrouping() {
        HiDlrController a = new HiDlrController(
                settings(0.9, true, HiDlrSettings.Freeze.Rule.THRESHOLD, 1), groups, false, 0, 1000, 10);
        a.update(10, 0.01, probe(a, 0.01));
        HiDlrController b = new HiDlrController(
                settings(0.9, true, HiDlrSettings.Freeze.Rule.THRESHOLD, 1), groups, false, 0, 1000, 10);
        // through the JSON a checkpoint stores
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        b.restore(assertDoesNotThrow(() -> json.readValue(json.writeValueAsString(a.state()), HiDlrState.class)));
        assertEquals(a.state(), b.state());
        double[] la = probe(a, 0.01);
        assertArrayEquals(la, probe(b, 0.01));
        assertEquals(a.update(20, 0.01, la).probeEvent(), b.update(20, 0.01, la).probeEvent());

        HiDlrSettings block = new HiDlrSettings(
                true,
                ParameterGroups.Strategy.BLOCK,
                0,
                0.1,
                0,
                new double[] {-2, -1, 1, 2},
                0.9,
                0.9,
                10,
                HiDlrSettings.Mode.AUTO,
                new HiDlrSettings.Freeze(false, 1, HiDlrSettings.Freeze.Rule.BUDGET, 1, 0.1),
                Map.of());
        HiDlrController other = new HiDlrController(
                block, ParameterGroups.of(layout, ParameterGroups.Strategy.BLOCK), false, 0, 1000, 10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.restore(a.state()));
        assertTrue(e.getMessage().contains("grouping 'kind'"), e.getMessage());
    }

    @Test
    void modeDecidesWhoSetsTheLevel() {
        for (HiDlrSettings.Mode mode : HiDlrSettings.Mode.values()) {
            HiDlrSettings s = new HiDlrSettings(
                    true,
                    ParameterGroups.Strategy.KIND,
                    0,
                    0.1,
                    0,
                    new double[] {-2, -1, 1, 2},
                    0.9,
                    0.9,
                    10,
                    mode,
                    new HiDlrSettings.Freeze(false, 1, HiDlrSettings.Freeze.Rule.BUDGET, 1, 0.1),
                    Map.of());
            assertEquals(!mode.id().equals("absolute"), s.shapeOnly(true), mode + " with AdaLRS");
            assertEquals(mode.id().equals("shape"), s.shapeOnly(false), mode + " without AdaLRS");
        }
    }

    @Test
    void multipliersStayWithinTheBound() {
        HiDlrSettings s = new HiDlrSettings(
                true,
                ParameterGroups.Strategy.KIND,
                0,
                0.1,
                0,
                new double[] {-2, -1, 1, 2},
                0.9,
                0.0,
                1.5,
                HiDlrSettings.Mode.AUTO,
                new HiDlrSettings.Freeze(false, 1, HiDlrSettings.Freeze.Rule.BUDGET, 1, 0.1),
                Map.of());
        HiDlrController c = new HiDlrController(s, groups, false, 0, 1000, 10);
        // a base rate far below every group's best step: each probe asks for 2x, the bound stops at 1.5x
        for (int round = 0; round < 3; round++) {
            c.update(10L * (round + 1), 1e-3, probe(c, 1e-3));
        }
        for (int g = 0; g < 6; g++) {
            assertEquals(1.5, c.multiplier(g), 0.0, groups.group(g).name());
        }
    }

    @Test
    void probesStartAfterWarmupOnMultiplesOfTheInterval() {
        HiDlrController c = new HiDlrController(
                settings(0.9, false, HiDlrSettings.Freeze.Rule.BUDGET, 1), groups, false, 10, 100, 7);
        List<Long> due = new ArrayList<>();
        for (long s = 1; s <= 100; s++) {
            if (c.probeDue(s)) {
                due.add(s);
            }
        }
        assertEquals(List.of(14L, 21L, 28L, 35L, 42L, 49L, 56L, 63L, 70L, 77L, 84L, 91L, 98L), due);
    }

    @Test
    void derivedIntervalKeepsProbesWithinTheOverheadBudget() {
        HiDlrSettings s = settings(0.9, false, HiDlrSettings.Freeze.Rule.BUDGET, 1);
        // 6 groups, 4 offsets: 25 forwards of 4 sequences per probe; a step of 16 sequences costs 48
        // forwards; 100 / (48 · 0.1) = 20.8 → every 21 steps
        assertEquals(4, s.probeSequences(16, 2));
        assertEquals(21, s.every(6, 16, 2));
        assertTrue(25.0 * 4 / (21 * 48) <= 0.1);
        assertTrue(25.0 * 4 / (20 * 48) > 0.1);
    }

    @Test
    void initialMultipliersStartTheGroupsAndShapeModeNormalisesThem() {
        HiDlrSettings s = new HiDlrSettings(
                true,
                ParameterGroups.Strategy.KIND,
                1_000_000,
                0.1,
                0,
                new double[] {-2, -1, 1, 2},
                0.9,
                0.9,
                10,
                HiDlrSettings.Mode.AUTO,
                new HiDlrSettings.Freeze(false, 1, HiDlrSettings.Freeze.Rule.BUDGET, 1, 0.1),
                java.util.Map.of("norm", 4.0, "token-embedding", 0.5));
        HiDlrController absolute = new HiDlrController(s, groups, false, 0, 1000, 1_000_000);
        double logSum = 0;
        double size = 0;
        for (int g = 0; g < groups.count(); g++) {
            String name = groups.group(g).name();
            double expected = name.equals("norm") ? 4.0 : name.equals("token-embedding") ? 0.5 : 1.0;
            assertEquals(expected, absolute.multiplier(g), 0.0, name);
            logSum += groups.group(g).size() * Math.log(expected);
            size += groups.group(g).size();
        }
        assertFalse(absolute.probeDue(1000), "every beyond the run: no probe, the multipliers stay");
        // shape only: the same ratios, divided by their parameter-weighted geometric mean
        HiDlrController shape = new HiDlrController(s, groups, true, 0, 1000, 1_000_000);
        double mean = Math.exp(logSum / size);
        for (int g = 0; g < groups.count(); g++) {
            assertEquals(
                    absolute.multiplier(g) / mean,
                    shape.multiplier(g),
                    1e-12,
                    groups.group(g).name());
        }
        assertEquals(1.0, shape.geometricMeanMultiplier(), 1e-12);

        HiDlrSettings unknown = new HiDlrSettings(
                true,
                ParameterGroups.Strategy.KIND,
                0,
                0.1,
                0,
                new double[] {-2, -1, 1, 2},
                0.9,
                0.9,
                10,
                HiDlrSettings.Mode.AUTO,
                new HiDlrSettings.Freeze(false, 1, HiDlrSettings.Freeze.Rule.BUDGET, 1, 0.1),
                java.util.Map.of("embeddings", 2.0));
        ConfigError e = assertThrows(ConfigError.class, () -> unknown.checkGroups(groups));
        assertTrue(
                e.getMessage()
                        .startsWith("pacer.hidlr.initial-multipliers.embeddings: no such parameter group"
                                + " under grouping kind; its groups are [token-embedding"),
                e.getMessage());
        e = assertThrows(
                ConfigError.class,
                () -> new HiDlrSettings(
                        true,
                        ParameterGroups.Strategy.KIND,
                        0,
                        0.1,
                        0,
                        new double[] {-2, -1, 1, 2},
                        0.9,
                        0.9,
                        10,
                        HiDlrSettings.Mode.AUTO,
                        new HiDlrSettings.Freeze(false, 1, HiDlrSettings.Freeze.Rule.BUDGET, 1, 0.1),
                        java.util.Map.of("norm", 20.0)));
        assertTrue(
                e.getMessage().startsWith("pacer.hidlr.initial-multipliers.norm = 20.0: expected a factor in"),
                e.getMessage());
    }
}
