package dev.pacer.report;

import dev.pacer.report.ControllerEvents.AdaLrsDecision;
import dev.pacer.report.ControllerEvents.GroupFit;
import dev.pacer.report.ControllerEvents.HiDlrProbe;
import dev.pacer.report.RunRecords.MetricRow;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's plots, drawn with XChart and encoded as PNG. */
final class ReportCharts {

    /** Logical size of every chart; PNGs are drawn at twice this for sharp text on dense screens. */
    static final int WIDTH = 1000;

    static final int HEIGHT = 400;
    static final int SCALE = 2;

    static final Color BLUE = new Color(0x1f77b4);
    static final Color LIGHT_BLUE = new Color(0xa6c8e4);
    static final Color ORANGE = new Color(0xe8710a);
    static final Color GREEN = new Color(0x2ca02c);
    static final Color RED = new Color(0xd62728);
    static final Color GREY = new Color(0x7f7f7f);
    static final Color PURPLE = new Color(0x9467bd);
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

    private ReportCharts() {}

    /** Training loss (raw and smoothed) and validation loss against tokens seen. */
    static XYChart loss(RunRecords r, double unigramNats) {
        XYChart c = chart("tokens seen", "loss (nats / token)");
        List<MetricRow> rows = finite(r.trajectory(), MetricRow::loss);
        double[] x = column(rows, row -> row.tokens());
        double[] y = column(rows, MetricRow::loss);
        line(c, "training loss", x, y, LIGHT_BLUE, 1.2f);
        if (rows.size() >= 10) {
            line(c, "training loss, smoothed", x, centeredMean(y, smoothingRadius(y.length)), BLUE, 2.2f);
        }
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
        c.getStyler().setxAxisTickLabelsFormattingFunction(ReportCharts::count);
        c.getStyler().setYAxisDecimalPattern("0.0#");
        return c;
    }

    /**
     * The learning rate each step used, with AdaLRS decisions marked where they happened and, when
     * AdaLRS ran, the base schedule alone (the rate divided by the level) for comparison.
     */
    static XYChart learningRate(RunRecords r, List<AdaLrsDecision> decisions) {
        List<MetricRow> rows = finite(r.trajectory(), MetricRow::lr);
        // rates of 1e-4..1e-2 as small numbers with a power of ten in the axis title: easier to
        // read, and XChart 3.8 mistakes series whose steps differ by less than 1e-4 for equally
        // spaced ones and puts a tick on every value
        int exponent = decimalExponent(
                rows.stream().mapToDouble(MetricRow::lr).map(Math::abs).max().orElse(1));
        double unit = Math.pow(10, exponent);
        XYChart c = chart("step", "learning rate (\u00d7 " + powerOfTen(exponent) + ")");
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

    /** The power of ten at or below {@code v} (0 for non-positive values). */
    static int decimalExponent(double v) {
        return v > 0 && Double.isFinite(v) ? (int) Math.floor(Math.log10(v)) : 0;
    }

    /** "10⁻³" for -3. */
    static String powerOfTen(int exponent) {
        String digits = Integer.toString(exponent);
        StringBuilder sb = new StringBuilder("10");
        for (char ch : digits.toCharArray()) {
            sb.append(
                    ch == '-'
                            ? '\u207b'
                            : "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079".charAt(ch - '0'));
        }
        return sb.toString();
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
        c.getStyler().setyAxisTickLabelsFormattingFunction(ReportCharts::scientific);
        return c;
    }

    /** Tokens per second each step, and a moving average. */
    static XYChart throughput(RunRecords r) {
        XYChart c = chart("step", "tokens / second");
        List<MetricRow> rows = finite(r.trajectory(), MetricRow::tokensPerS);
        double[] steps = column(rows, row -> row.step());
        double[] rate = column(rows, MetricRow::tokensPerS);
        line(c, "each step", steps, rate, LIGHT_BLUE, 1.2f);
        if (rows.size() >= 10) {
            line(c, "smoothed", steps, centeredMean(rate, smoothingRadius(rate.length)), BLUE, 2.2f);
        }
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setyAxisTickLabelsFormattingFunction(ReportCharts::count);
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
                    "clipped above " + format(clip),
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

    /** The chart as PNG bytes, drawn at {@link #SCALE} times its size. */
    static byte[] png(XYChart chart) throws IOException {
        roundXTicks(chart);
        BufferedImage image = new BufferedImage(WIDTH * SCALE, HEIGHT * SCALE, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.scale(SCALE, SCALE);
            chart.paint(g, WIDTH, HEIGHT);
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** A chart in the report's style; titles are the page's headings, so the plots carry none. */
    static XYChart chart(String xTitle, String yTitle) {
        XYChart c = new XYChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .xAxisTitle(xTitle)
                .yAxisTitle(yTitle)
                .build();
        XYStyler s = c.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderVisible(false);
        s.setPlotGridLinesColor(new Color(0xe3e3e3));
        s.setPlotGridLinesStroke(new BasicStroke(1f));
        s.setAxisTickMarksColor(new Color(0x999999));
        s.setChartFontColor(new Color(0x222222));
        s.setAxisTickLabelsColor(new Color(0x333333));
        s.setChartTitleVisible(false);
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setLegendBorderColor(new Color(0xcccccc));
        s.setLegendBackgroundColor(new Color(255, 255, 255, 225));
        s.setChartPadding(12);
        s.setMarkerSize(9);
        s.setAntiAlias(true);
        s.setXAxisMin(0.0); // steps and tokens start at 0: round tick values
        s.setXAxisTickMarkSpacingHint(90);
        s.setLocale(Locale.ROOT);
        return c;
    }

    private static final String TICK_HELPER = "\u200b"; // an invisible series name

    /**
     * XChart 3.8 puts the x ticks on the data's own x values when all of them are equally spaced
     * (steps 1, 2, 3, ...), which labels every sixth or thirteenth step. One hidden point a third
     * of the way between the first two x values breaks the spacing, and XChart picks round ticks.
     */
    private static void roundXTicks(XYChart c) {
        if (c.getSeriesMap().containsKey(TICK_HELPER)) {
            return;
        }
        for (XYSeries s : c.getSeriesMap().values()) {
            double[] x = s.getXData();
            if (x.length >= 2 && s.getYAxisGroup() == 0) {
                XYSeries h = c.addSeries(
                        TICK_HELPER, new double[] {x[0] + (x[1] - x[0]) / 3}, new double[] {s.getYData()[0]});
                h.setShowInLegend(false);
                h.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                h.setMarker(SeriesMarkers.NONE);
                h.setLineColor(new Color(0, 0, 0, 0));
                return;
            }
        }
    }

    static XYSeries line(XYChart c, String name, double[] x, double[] y, Color color, float width) {
        XYSeries s = c.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineWidth(width);
        return s;
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

    private static List<MetricRow> finite(List<MetricRow> rows, ToDoubleFunction<MetricRow> f) {
        return rows.stream().filter(r -> Double.isFinite(f.applyAsDouble(r))).toList();
    }

    private static double[] column(List<MetricRow> rows, ToDoubleFunction<MetricRow> f) {
        return rows.stream().mapToDouble(f).toArray();
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

    /** 1234567 as "1.23M", 45000 as "45k". */
    static String count(double v) {
        double a = Math.abs(v);
        if (a >= 1e9) {
            return trim(v / 1e9) + "G";
        }
        if (a >= 1e6) {
            return trim(v / 1e6) + "M";
        }
        if (a >= 1e3) {
            return trim(v / 1e3) + "k";
        }
        return trim(v);
    }

    static String scientific(double v) {
        return v == 0 ? "0" : String.format(Locale.ROOT, "%.1e", v);
    }

    static String format(double v) {
        return trim(v);
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.2f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
