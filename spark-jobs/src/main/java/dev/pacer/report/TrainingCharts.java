package dev.pacer.report;

import static dev.pacer.report.ChartStyle.BLUE;
import static dev.pacer.report.ChartStyle.GREY;
import static dev.pacer.report.ChartStyle.LIGHT_BLUE;
import static dev.pacer.report.ChartStyle.ORANGE;
import static dev.pacer.report.ChartStyle.RED;
import static dev.pacer.report.ChartStyle.chart;
import static dev.pacer.report.ChartStyle.column;
import static dev.pacer.report.ChartStyle.finite;
import static dev.pacer.report.ChartStyle.line;

import dev.pacer.report.RunRecords.MetricRow;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The plots of how training went, step by step: loss against tokens seen, throughput and the
 * gradient norm, noisy per-step series drawn light with a centred running mean on top.
 */
final class TrainingCharts {

    private TrainingCharts() {}

    /** Training loss (raw and smoothed) and validation loss against tokens seen. */
    static XYChart loss(RunRecords r, double unigramNats) {
        XYChart c = chart("tokens seen", "loss (nats / token)");
        List<MetricRow> rows = finite(r.trajectory(), MetricRow::loss);
        double[] x = column(rows, row -> row.tokens());
        double[] y = column(rows, MetricRow::loss);
        withRunningMean(c, "training loss", "training loss, smoothed", x, y);
        List<MetricRow> val = r.validationRows();
        if (!val.isEmpty()) {
            XYSeries v = line(
                    c,
                    "validation loss",
                    column(val, row -> row.tokens()),
                    column(val, MetricRow::valLoss),
                    ORANGE,
                    2.2f);
            v.setMarker(SeriesMarkers.CIRCLE);
            v.setMarkerColor(ORANGE);
        }
        if (Double.isFinite(unigramNats) && x.length > 0) {
            XYSeries u = line(
                    c,
                    r.tokenUnit() + " frequencies only (order-0 entropy)",
                    new double[] {x[0], x[x.length - 1]},
                    new double[] {unigramNats, unigramNats},
                    GREY,
                    1.5f);
            u.setLineStyle(SeriesLines.DASH_DASH);
        }
        c.getStyler().setxAxisTickLabelsFormattingFunction(AxisLabels::count);
        c.getStyler().setYAxisDecimalPattern("0.0#");
        return c;
    }

    /** Tokens per second each step, and a moving average. */
    static XYChart throughput(RunRecords r) {
        XYChart c = chart("step", "tokens / second");
        List<MetricRow> rows = finite(r.trajectory(), MetricRow::tokensPerS);
        double[] steps = column(rows, row -> row.step());
        double[] rate = column(rows, MetricRow::tokensPerS);
        withRunningMean(c, "each step", "smoothed", steps, rate);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setyAxisTickLabelsFormattingFunction(AxisLabels::count);
        return c;
    }

    /** Global gradient norm before clipping, with the clipping threshold. */
    static XYChart gradientNorm(RunRecords r, double clip) {
        XYChart c = chart("step", "global L2 norm (before clipping)");
        List<MetricRow> rows = finite(r.trajectory(), MetricRow::gradNorm);
        double[] steps = column(rows, row -> row.step());
        line(c, "gradient norm", steps, column(rows, MetricRow::gradNorm), BLUE, 1.5f);
        if (clip > 0 && steps.length > 0) {
            XYSeries s = line(
                    c,
                    "clipped above " + AxisLabels.format(clip),
                    new double[] {steps[0], steps[steps.length - 1]},
                    new double[] {clip, clip},
                    RED,
                    1.5f);
            s.setLineStyle(SeriesLines.DASH_DASH);
        }
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisDecimalPattern("0.0#");
        return c;
    }

    /** A noisy per-step series drawn light, and its centred running mean on top once there are 10 points. */
    private static void withRunningMean(XYChart c, String raw, String smoothed, double[] x, double[] y) {
        line(c, raw, x, y, LIGHT_BLUE, 1.2f);
        if (y.length >= 10) {
            line(c, smoothed, x, centeredMean(y, smoothingRadius(y.length)), BLUE, 2.2f);
        }
    }

    /** Smoothing half-width: about 2% of the points, at least 2. */
    static int smoothingRadius(int points) {
        return Math.max(2, points / 50);
    }

    /** Mean over a window of {@code radius} points on each side (narrower at the ends): no lag. */
    static double[] centeredMean(double[] y, int radius) {
        double[] prefix = new double[y.length + 1];
        for (int i = 0; i < y.length; i++) {
            prefix[i + 1] = prefix[i] + y[i];
        }
        double[] out = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            int from = Math.max(0, i - radius);
            int to = Math.min(y.length, i + radius + 1);
            out[i] = (prefix[to] - prefix[from]) / (to - from);
        }
        return out;
    }
}
