package dev.pacer.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.report.ControllerEvents.AdaLrsDecision;
import dev.pacer.report.RunRecords.MetricRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;

/**
 * The report's AdaLRS part: where the level went (the rate it started from, the level it began
 * at, the rate it settled on against the start), every trial's paired difference with its error,
 * and the table of decisions.
 */
final class AdaLrsExplained {

    static final String TRIALS_PNG = "adalrs-trials.png";

    /** Decision fields shown first, in this order, when the events carry them. */
    private static final List<String> LEADING =
            List.of("trial_level", "paired_difference", "paired_error", "margin", "direction", "extra_steps");

    private AdaLrsExplained() {}

    /** Where the level went; NaN where the run does not tell. */
    record Course(double startLr, double firstLevel, double settledLevel, long extraSteps, long plannedSteps) {
        double settledLr() {
            return startLr * settledLevel;
        }
    }

    static Course course(RunRecords r, List<AdaLrsDecision> decisions) {
        JsonNode cfg = r.config();
        double startLr = cfg == null ? Double.NaN : cfg.path("train").path("lr").asDouble(Double.NaN);
        long planned = cfg == null ? -1 : cfg.path("train").path("max-steps").asLong(-1);
        List<MetricRow> leveled = r.trajectory().stream()
                .filter(m -> Double.isFinite(m.lrLevel()))
                .toList();
        double first =
                leveled.isEmpty() ? decisions.get(0).oldLevel() : leveled.get(0).lrLevel();
        double settled = leveled.isEmpty()
                ? decisions.get(decisions.size() - 1).newLevel()
                : leveled.get(leveled.size() - 1).lrLevel();
        long extra = 0;
        for (AdaLrsDecision d : decisions) {
            extra = Math.max(extra, d.row().path("extra_steps").asLong(0));
        }
        return new Course(startLr, first, settled, extra, planned);
    }

    /** Trials: decisions that compared a trial level (paired or velocity), not the safeguards. */
    static List<AdaLrsDecision> trials(List<AdaLrsDecision> decisions) {
        return decisions.stream()
                .filter(d -> Set.of("accept", "reject", "neutral").contains(d.outcome()))
                .toList();
    }

    /**
     * Each paired trial's mean difference trial − base over the compared steps (below zero: the
     * trial was ahead) with ± one standard error, at the step it was decided, labelled with the
     * level it tried; null when no trial has a paired difference.
     */
    static XYChart trialsChart(List<AdaLrsDecision> decisions) {
        List<AdaLrsDecision> paired = trials(decisions).stream()
                .filter(d -> d.row().path("paired_difference").isNumber())
                .toList();
        if (paired.isEmpty()) {
            return null;
        }
        XYChart c = ChartStyle.chart("step", "paired difference, trial − base (nats)");
        Map<String, List<AdaLrsDecision>> byOutcome = new LinkedHashMap<>();
        paired.forEach(d ->
                byOutcome.computeIfAbsent(d.outcome(), k -> new ArrayList<>()).add(d));
        double first = paired.get(0).step();
        double last = paired.get(paired.size() - 1).step();
        XYSeries zero = ChartStyle.line(
                c, "no difference", new double[] {0, last + first}, new double[] {0, 0}, ChartStyle.GREY, 1.2f);
        zero.setLineStyle(SeriesLines.DASH_DASH);
        for (Map.Entry<String, List<AdaLrsDecision>> e : byOutcome.entrySet()) {
            List<AdaLrsDecision> ds = e.getValue();
            XYSeries s = c.addSeries(
                    e.getKey(),
                    ds.stream().mapToDouble(AdaLrsDecision::step).toArray(),
                    ds.stream()
                            .mapToDouble(d -> d.row().get("paired_difference").asDouble())
                            .toArray(),
                    ds.stream()
                            .mapToDouble(d ->
                                    finiteOrZero(d.row().path("paired_error").asDouble(0)))
                            .toArray());
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(LearningRateCharts.outcomeMarker(e.getKey()));
            s.setMarkerColor(LearningRateCharts.outcomeColor(e.getKey()));
            s.setLineColor(LearningRateCharts.outcomeColor(e.getKey())); // the error bars' colour
        }
        c.getStyler().setErrorBarsColorSeriesColor(true);
        for (AdaLrsDecision d : paired) {
            JsonNode level = d.row().get("trial_level");
            if (level != null && level.isNumber()) {
                c.addAnnotation(new AnnotationText(
                        "\u00d7" + CellFormat.num(level.asDouble()),
                        d.step(),
                        d.row().get("paired_difference").asDouble(),
                        false));
            }
        }
        c.getStyler().setYAxisDecimalPattern("0.0##");
        return c;
    }

    /** The AdaLRS section: the course of the level, the level and trials plots, the decisions. */
    static void section(Html h, RunRecords r, List<AdaLrsDecision> decisions, Map<String, byte[]> images) {
        ReportPage.figure(
                h,
                "AdaLRS level",
                images,
                "adalrs-level.png",
                "The level AdaLRS set at each step: it multiplies the base schedule. During a trial window the"
                        + " level is the trial's; after the search phase it stays at the level found.");
        if (decisions.isEmpty()) {
            return;
        }
        course(h, course(r, decisions), trials(decisions));
        ReportPage.figure(
                h,
                "AdaLRS trials",
                images,
                TRIALS_PNG,
                "Each paired trial at the step it was decided: the mean difference of the trial branch's loss"
                        + " minus the base branch's over the compared steps (same batches, same starting weights),"
                        + " with one standard error either way, labelled with the level it tried (\u00d7 the start"
                        + " rate). Below zero the trial was ahead: accepted when by more than the margin; above it,"
                        + " rejected; within it, neutral.");
        table(h, decisions);
    }

    private static void course(Html h, Course c, List<AdaLrsDecision> trials) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("start rate", rate(c.startLr()) + " (pacer.train.lr)");
        facts.put(
                "first level",
                CellFormat.num(c.firstLevel()) + ": a rate of " + rate(c.startLr() * c.firstLevel())
                        + ", the level of the warmup");
        facts.put(
                "settled on",
                "level " + CellFormat.num(c.settledLevel()) + ": a rate of " + rate(c.settledLr()) + ", "
                        + CellFormat.num(c.settledLevel()) + "\u00d7 the start rate");
        long accepted =
                trials.stream().filter(d -> d.outcome().equals("accept")).count();
        long rejected =
                trials.stream().filter(d -> d.outcome().equals("reject")).count();
        facts.put(
                "trials",
                trials.size() + ": " + accepted + " accepted, " + rejected + " rejected, "
                        + (trials.size() - accepted - rejected) + " neutral");
        if (c.extraSteps() > 0) {
            facts.put(
                    "extra compute",
                    c.extraSteps() + " replayed steps"
                            + (c.plannedSteps() > 0
                                    ? String.format(
                                            Locale.ROOT,
                                            ", %.1f%% of the %,d planned",
                                            100.0 * c.extraSteps() / c.plannedSteps(),
                                            c.plannedSteps())
                                    : ""));
        }
        h.raw("<section><h2>Where the AdaLRS level went</h2>\n<table class=\"facts\">\n");
        facts.forEach(
                (k, v) -> h.raw("<tr><th>").text(k).raw("</th><td>").text(v).raw("</td></tr>\n"));
        h.raw("</table></section>\n");
    }

    private static void table(Html h, List<AdaLrsDecision> decisions) {
        Set<String> extra = new LinkedHashSet<>();
        Set<String> known = Set.of("event", "step", "round", "outcome", "old_level", "new_level", "time");
        for (String f : LEADING) {
            if (decisions.stream().anyMatch(d -> d.row().has(f))) {
                extra.add(f);
            }
        }
        for (AdaLrsDecision d : decisions) {
            d.row().fieldNames().forEachRemaining(f -> {
                if (!known.contains(f) && d.row().get(f).isValueNode()) {
                    extra.add(f);
                }
            });
        }
        h.raw("<section><h2>AdaLRS decisions</h2>\n<p class=\"caption\">")
                .text(decisions.size()
                        + " decisions. A paired round runs a base window at the current level, replays the same steps"
                        + " on the same batches at a trial level, and compares the two branches' losses step by step"
                        + " (paired difference and its error). A velocity round compares loss-descent velocities (v,"
                        + " with its standard error e) of a base and a later trial window. Either keeps the trial"
                        + " (accept), returns to the base level (reject) or keeps the level (neutral) when the"
                        + " difference is within the margin. A row with race true is the warmup race (race-steps):"
                        + " initial-scale x race-factor against initial-scale, both from the first step, the lower"
                        + " kept only when clearly ahead. Level changes are coloured: green up, red down.")
                .raw("</p>\n");
        h.raw("<table class=\"grid\"><thead><tr><th>step</th><th>round</th><th>outcome</th><th>old level</th>"
                + "<th>new level</th>");
        extra.forEach(f -> h.raw("<th>").text(f.replace('_', ' ')).raw("</th>"));
        h.raw("</tr></thead>\n");
        for (AdaLrsDecision d : decisions) {
            int kind = LearningRateCharts.levelChange(d);
            h.raw("<tr><td>")
                    .text(Long.toString(d.step()))
                    .raw("</td><td>")
                    .text(d.round() < 0 ? "" : Long.toString(d.round()))
                    .raw("</td><td class=\"")
                    .raw(kind > 0 ? "up" : kind < 0 ? "down" : "same")
                    .raw("\">")
                    .text(d.outcome())
                    .raw("</td><td>")
                    .text(CellFormat.num(d.oldLevel()))
                    .raw("</td><td>")
                    .text(CellFormat.num(d.newLevel()))
                    .raw("</td>");
            extra.forEach(
                    f -> h.raw("<td>").text(CellFormat.cell(d.row().get(f))).raw("</td>"));
            h.raw("</tr>\n");
        }
        h.raw("</table></section>\n");
    }

    private static String rate(double lr) {
        return Double.isFinite(lr) ? String.format(Locale.ROOT, "%.3e", lr) : "unknown";
    }

    private static double finiteOrZero(double v) {
        return Double.isFinite(v) ? v : 0;
    }
}
