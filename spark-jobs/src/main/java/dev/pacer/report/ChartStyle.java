package dev.pacer.report;

import dev.pacer.report.RunRecords.MetricRow;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * What every plot of the report shares: its size, palette and XChart style, how a series is drawn
 * and how the chart becomes a PNG, so that the plots look like one family.
 */
final class ChartStyle {

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

    private ChartStyle() {}

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

    /** The rows whose {@code f} is finite: a missing value leaves a gap instead of a spike. */
    static List<MetricRow> finite(List<MetricRow> rows, ToDoubleFunction<MetricRow> f) {
        return rows.stream().filter(r -> Double.isFinite(f.applyAsDouble(r))).toList();
    }

    static double[] column(List<MetricRow> rows, ToDoubleFunction<MetricRow> f) {
        return rows.stream().mapToDouble(f).toArray();
    }
}
