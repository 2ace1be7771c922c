package dev.pacer.report;

import static dev.pacer.report.ChartStyle.BLUE;
import static dev.pacer.report.ChartStyle.GREEN;
import static dev.pacer.report.ChartStyle.GREY;
import static dev.pacer.report.ChartStyle.ORANGE;
import static dev.pacer.report.ChartStyle.PURPLE;
import static dev.pacer.report.ChartStyle.RED;
import static dev.pacer.report.ChartStyle.chart;
import static dev.pacer.report.ChartStyle.column;
import static dev.pacer.report.ChartStyle.finite;
import static dev.pacer.report.ChartStyle.line;

import dev.pacer.report.ControllerEvents.AdaLrsDecision;
import dev.pacer.report.ControllerEvents.GroupFit;
import dev.pacer.report.ControllerEvents.HiDlrProbe;
import dev.pacer.report.RunRecords.MetricRow;
import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The plots of the learning rate and of what changed it: the rate each step used, the level
 * AdaLRS set with its decisions marked, and the rate Hi-DLR set per parameter group.
 */
final class LearningRateCharts {

    private static final Color[] GROUP_COLORS = {
        BLUE,
        ORANGE,
        GREEN,
        RED,
        PURPLE,
        new Color(0x8c564b),
        new Color(0xe377c2),
        GREY,
        new Color(0xbcbd22),
        new Color(0x17becf)
    };

    private LearningRateCharts() {}

    /**
     * The learning rate each step used, with AdaLRS decisions marked where they happened and, when
     * AdaLRS ran, the base schedule alone (the rate divided by the level) for comparison.
     */
    static XYChart learningRate(RunRecords r, List<AdaLrsDecision> decisions) {
        List<MetricRow> rows = finite(r.trajectory(), MetricRow::lr);
        // rates of 1e-4..1e-2 as small numbers with a power of ten in the axis title: easier to
        // read, and XChart 3.8 mistakes series whose steps differ by less than 1e-4 for equally
        // spaced ones and puts a tick on every value
        int exponent = AxisLabels.decimalExponent(
                rows.stream().mapToDouble(MetricRow::lr).map(Math::abs).max().orElse(1));
        double unit = Math.pow(10, exponent);
        XYChart c = chart("step", "learning rate (\u00d7 " + AxisLabels.powerOfTen(exponent) + ")");
        line(c, "learning rate used", column(rows, row -> row.step()), column(rows, row -> row.lr() / unit), BLUE, 2f);
        List<MetricRow> leveled = finite(rows, MetricRow::lrLevel);
        if (!decisions.isEmpty() && !leveled.isEmpty()) {
            XYSeries base = line(
                    c,
                    "schedule alone (level 1)",
                    column(leveled, row -> row.step()),
                    column(leveled, row -> row.lr() / row.lrLevel() / unit),
                    GREY,
                    1.5f);
            base.setLineStyle(SeriesLines.DASH_DASH);
        }
        markDecisions(c, decisions, step -> lrAt(rows, step, MetricRow::lr) / unit);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisDecimalPattern("0.0#");
        return c;
    }

    /**
     * The level AdaLRS set (it multiplies the schedule), per step when the metrics carry it,
     * else rebuilt from the decisions; null when AdaLRS made no decision.
     */
    static XYChart adaLrsLevel(RunRecords r, List<AdaLrsDecision> decisions) {
        if (decisions.isEmpty()) {
            return null;
        }
        // log scale: the level moves by factors, from a tenth of the start rate by default
        XYChart c = chart("step", "AdaLRS level (log scale)");
        List<MetricRow> rows = finite(r.trajectory(), MetricRow::lrLevel);
        if (!rows.isEmpty()) {
            line(c, "level", column(rows, row -> row.step()), column(rows, MetricRow::lrLevel), GREEN, 2f);
            markDecisions(c, decisions, step -> lrAt(rows, step, MetricRow::lrLevel));
        } else {
            List<double[]> level = levelSteps(decisions, r.last().step());
            if (level.isEmpty()) {
                return null;
            }
            line(c, "level", level.get(0), level.get(1), GREEN, 2f);
            markDecisions(c, decisions, step -> {
                for (AdaLrsDecision d : decisions) {
                    if (d.step() == step && Double.isFinite(d.newLevel())) {
                        return d.newLevel();
                    }
                }
                return Double.NaN;
            });
        }
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setYAxisDecimalPattern("0.###");
        return c;
    }

    /** One scatter series per outcome, at {@code y(step)}. */
    private static void markDecisions(
            XYChart c, List<AdaLrsDecision> decisions, java.util.function.LongToDoubleFunction y) {
        Map<String, List<AdaLrsDecision>> byOutcome = new LinkedHashMap<>();
        for (AdaLrsDecision d : decisions) {
            byOutcome.computeIfAbsent(d.outcome(), k -> new ArrayList<>()).add(d);
        }
        for (Map.Entry<String, List<AdaLrsDecision>> e : byOutcome.entrySet()) {
            List<double[]> pts = new ArrayList<>();
            for (AdaLrsDecision d : e.getValue()) {
                double v = y.applyAsDouble(d.step());
                if (Double.isFinite(v)) {
                    pts.add(new double[] {d.step(), v});
                }
            }
            if (pts.isEmpty()) {
                continue;
            }
            XYSeries s = c.addSeries(
                    "AdaLRS " + e.getKey().replace('_', ' '),
                    pts.stream().mapToDouble(p -> p[0]).toArray(),
                    pts.stream().mapToDouble(p -> p[1]).toArray());
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(outcomeMarker(e.getKey()));
            s.setMarkerColor(outcomeColor(e.getKey()));
        }
    }

    /** Hi-DLR's rate per parameter group at each probe (log scale); null when no probe has one. */
    static XYChart groupRates(List<HiDlrProbe> probes) {
        Map<String, List<double[]>> points = new LinkedHashMap<>();
        for (HiDlrProbe p : probes) {
            for (GroupFit g : p.groups()) {
                double rate = g.number("rate");
                if (rate > 0 && Double.isFinite(rate)) {
                    points.computeIfAbsent(g.group(), k -> new ArrayList<>()).add(new double[] {p.step(), rate});
                }
            }
        }
        if (points.isEmpty()) {
            return null;
        }
        XYChart c = chart("step", "learning rate (log scale)");
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        int i = 0;
        for (Map.Entry<String, List<double[]>> e : points.entrySet()) {
            double[] x = e.getValue().stream().mapToDouble(p -> p[0]).toArray();
            double[] y = e.getValue().stream().mapToDouble(p -> p[1]).toArray();
            Color color = GROUP_COLORS[i++ % GROUP_COLORS.length];
            XYSeries s = line(c, e.getKey(), x, y, color, 2f);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(color);
        }
        c.getStyler().setyAxisTickLabelsFormattingFunction(AxisLabels::scientific);
        return c;
    }

    static Marker outcomeMarker(String outcome) {
        return switch (outcome) {
            case "accept" -> SeriesMarkers.TRIANGLE_UP;
            case "reject", "rising" -> SeriesMarkers.TRIANGLE_DOWN;
            case "neutral" -> SeriesMarkers.DIAMOND;
            case "diverged" -> SeriesMarkers.CROSS;
            case "upscaling_stopped" -> SeriesMarkers.SQUARE;
            default -> SeriesMarkers.CIRCLE;
        };
    }

    static Color outcomeColor(String outcome) {
        return switch (outcome) {
            case "accept" -> GREEN;
            case "reject" -> RED;
            case "rising" -> ORANGE;
            case "neutral" -> GREY;
            case "diverged" -> Color.BLACK;
            case "upscaling_stopped" -> PURPLE;
            default -> BLUE;
        };
    }

    /** +1 when a decision raised the level, -1 when it lowered it, 0 when it left it. */
    static int levelChange(AdaLrsDecision d) {
        if (!Double.isFinite(d.oldLevel()) || !Double.isFinite(d.newLevel()) || d.oldLevel() == d.newLevel()) {
            return 0;
        }
        return d.newLevel() > d.oldLevel() ? 1 : -1;
    }

    /** The level as a step function: old level from the first decision, each new level from its step. */
    private static List<double[]> levelSteps(List<AdaLrsDecision> decisions, long lastStep) {
        List<double[]> pts = new ArrayList<>();
        double current = Double.NaN;
        for (AdaLrsDecision d : decisions) {
            if (Double.isNaN(current) && Double.isFinite(d.oldLevel())) {
                pts.add(new double[] {0, d.oldLevel()});
                current = d.oldLevel();
            }
            if (Double.isFinite(d.newLevel())) {
                if (!Double.isNaN(current)) {
                    pts.add(new double[] {d.step(), current});
                }
                pts.add(new double[] {d.step(), d.newLevel()});
                current = d.newLevel();
            }
        }
        if (pts.isEmpty()) {
            return List.of();
        }
        pts.add(new double[] {Math.max(lastStep, (long) pts.get(pts.size() - 1)[0]), current});
        return List.of(
                pts.stream().mapToDouble(p -> p[0]).toArray(),
                pts.stream().mapToDouble(p -> p[1]).toArray());
    }

    /** {@code field} of the last row at or before {@code step}. */
    private static double lrAt(List<MetricRow> rows, long step, ToDoubleFunction<MetricRow> field) {
        double v = rows.isEmpty() ? Double.NaN : field.applyAsDouble(rows.get(0));
        for (MetricRow r : rows) {
            if (r.step() > step) {
                break;
            }
            v = field.applyAsDouble(r);
        }
        return v;
    }
}
