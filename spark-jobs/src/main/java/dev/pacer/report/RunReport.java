package dev.pacer.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.report.ControllerEvents.AdaLrsDecision;
import dev.pacer.report.ControllerEvents.HiDlrProbe;
import dev.pacer.run.CheckpointStore;
import dev.pacer.run.RunLease;
import dev.pacer.run.RunStorage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.knowm.xchart.XYChart;

/**
 * The human report of a run: one self-contained HTML page ({@link ReportPage}; plots embedded as
 * PNG data, no scripts, no external files) and the same plots as PNG files, written to
 * {@code RUN_DIR/report/} unless another directory is given. Built only from what the run
 * directory records: {@code metrics.jsonl}, {@code events.jsonl} (AdaLRS and Hi-DLR sections
 * appear when their events do), {@code config.json} and the checkpoint list. Writing into the run
 * directory takes its lease ({@link RunLease}): not while a pretrain writes it.
 */
public final class RunReport {

    public static final String HTML = "report.html";
    /** Every image file a report may write, so that a rewrite removes ones that no longer apply. */
    static final List<String> IMAGES = List.of(
            "loss.png",
            "learning-rate.png",
            "adalrs-level.png",
            AdaLrsExplained.TRIALS_PNG,
            "group-rates.png",
            "throughput.png",
            "gradient-norm.png");

    private static final double LN2 = Math.log(2);

    /** What {@link #write} produced. */
    public record Written(Path html, List<Path> images) {}

    private RunReport() {}

    /**
     * Writes the report of the run at {@code runDir}.
     *
     * @param outputDir where to write, or null for {@code RUN_DIR/report}
     * @throws dev.pacer.config.ConfigError when the run directory or its metrics are missing
     */
    public static Written write(String runDir, String outputDir, Configuration hadoop, Consumer<String> warn)
            throws IOException {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true"); // drivers and CI have no display
        }
        RunStorage run = new RunStorage(runDir, hadoop);
        RunRecords records = RunRecords.read(run, warn);
        // report/ belongs to the run directory's writer: a live pretrain writes it when it ends
        try (RunLease lease =
                outputDir == null ? RunLease.forReport(runDir, RunLease.defaultTimeout(), hadoop) : null) {
            RunStorage out = outputDir == null ? run : new RunStorage(outputDir, hadoop);
            Written written = write(run, records, out, outputDir == null ? run.resolve("report") : out.root());
            if (lease != null) {
                lease.checkHeld();
            }
            return written;
        }
    }

    private static Written write(RunStorage run, RunRecords records, RunStorage out, Path dir) throws IOException {
        out.fs().mkdirs(dir);

        List<AdaLrsDecision> decisions = ControllerEvents.adaLrs(records);
        List<HiDlrProbe> probes = ControllerEvents.hiDlr(records);
        Map<String, XYChart> charts = new LinkedHashMap<>();
        charts.put("loss.png", TrainingCharts.loss(records, unigramNats(records)));
        charts.put("learning-rate.png", LearningRateCharts.learningRate(records, decisions));
        XYChart level = LearningRateCharts.adaLrsLevel(records, decisions);
        if (level != null) {
            charts.put("adalrs-level.png", level);
        }
        XYChart trials = AdaLrsExplained.trialsChart(decisions);
        if (trials != null) {
            charts.put(AdaLrsExplained.TRIALS_PNG, trials);
        }
        XYChart rates = LearningRateCharts.groupRates(probes);
        if (rates != null) {
            charts.put("group-rates.png", rates);
        }
        charts.put("throughput.png", TrainingCharts.throughput(records));
        charts.put(
                "gradient-norm.png",
                TrainingCharts.gradientNorm(records, number(records.config(), "train", "grad-clip")));

        Map<String, byte[]> images = new LinkedHashMap<>();
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, XYChart> e : charts.entrySet()) {
            byte[] png = ChartStyle.png(e.getValue());
            images.put(e.getKey(), png);
            Path p = new Path(dir, e.getKey());
            out.writeAll(p, png);
            written.add(p);
        }
        for (String name : IMAGES) {
            Path stale = new Path(dir, name);
            if (!images.containsKey(name) && out.exists(stale)) {
                out.fs().delete(stale, false);
            }
        }
        List<CheckpointStore.Candidate> checkpoints = new CheckpointStore(run, null).list(); // no layout to list
        Path html = new Path(dir, HTML);
        out.writeText(html, ReportPage.render(records, decisions, probes, images, checkpoints));
        return new Written(html, written);
    }

    private static double unigramNats(RunRecords r) {
        JsonNode corpus = r.lastEvent("corpus");
        return corpus == null || !corpus.path("order0_entropy_bits").isNumber()
                ? Double.NaN
                : corpus.get("order0_entropy_bits").asDouble() * LN2;
    }

    private static double number(JsonNode config, String section, String key) {
        return config == null ? Double.NaN : config.path(section).path(key).asDouble(Double.NaN);
    }
}
