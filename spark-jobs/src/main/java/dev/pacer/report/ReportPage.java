package dev.pacer.report;

import dev.pacer.report.ControllerEvents.AdaLrsDecision;
import dev.pacer.report.ControllerEvents.HiDlrProbe;
import dev.pacer.run.CheckpointStore;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;

/**
 * The report's HTML: summary cards, run facts, one section per plot with a caption saying how to
 * read it, the controllers' tables, the run history and the configuration. Self-contained: the
 * plots are embedded as PNG data and the styles inline; no script, no external file.
 */
final class ReportPage {

    private ReportPage() {}

    static String render(
            RunRecords r,
            List<AdaLrsDecision> decisions,
            List<HiDlrProbe> probes,
            Map<String, byte[]> images,
            List<CheckpointStore.Candidate> checkpoints) {
        Html h = new Html();
        String name = new Path(r.runDir()).getName();
        h.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .raw("<title>")
                .text("Pacer run " + name)
                .raw("</title>\n<style>")
                .raw(PageStyle.CSS)
                .raw("</style>\n</head>\n<body>\n<main>\n");
        h.raw("<header><h1>Pacer run <span class=\"name\">")
                .text(name)
                .raw("</span></h1>\n<p class=\"sub\">")
                .text(r.runDir())
                .raw(" &middot; report written ")
                .text(CellFormat.time(Instant.now().toString()) + " UTC")
                .raw("</p></header>\n");
        RunSummary.cards(h, r);
        RunSummary.facts(h, r, checkpoints);

        figure(
                h,
                "Loss",
                images,
                "loss.png",
                "Training loss of every step (light), a running mean of it (dark)"
                        + " and the validation loss (dots), in nats per token, against tokens seen. The dashed line is"
                        + " the loss of a model that knows only " + r.tokenUnit()
                        + " frequencies (the corpus's order-0 entropy): a model"
                        + " below it has learned context.");
        figure(
                h,
                "Learning rate",
                images,
                "learning-rate.png",
                decisions.isEmpty()
                        ? "The learning rate each step used (the schedule times any controller scaling)."
                        : "The learning rate each step used (solid) and the base schedule alone (dashed). Markers are"
                                + " AdaLRS decisions at the step they were taken: accept (the trial level is kept), reject"
                                + " (the trial is rolled back and the level lowered), neutral (level unchanged), rising"
                                + " (loss rose over two windows, level lowered). The spikes are trial windows.");
        AdaLrsExplained.section(h, r, decisions, images);
        if (!probes.isEmpty()) {
            HiDlrExplained.section(h, images, probes);
        }
        figure(
                h,
                "Throughput",
                images,
                "throughput.png",
                "Training tokens per second of each step (light) and"
                        + " a running mean (dark): wall clock of the whole step, Spark scheduling included.");
        figure(
                h,
                "Gradient norm",
                images,
                "gradient-norm.png",
                "Global L2 norm of each step's gradient before"
                        + " clipping; above the dashed line the step was scaled down to it. Spikes that grow are an early"
                        + " sign of a learning rate that is too high.");
        RunHistoryTable.section(h, r);
        ConfigurationTable.section(h, r.config());
        h.raw("<footer>Written by <code>pacer report</code> from metrics.jsonl, events.jsonl and config.json;"
                + " PNG copies of the plots lie next to this file.</footer>\n</main>\n</body>\n</html>\n");
        return h.toString();
    }

    static void figure(Html h, String title, Map<String, byte[]> images, String file, String caption) {
        byte[] png = images.get(file);
        if (png == null) {
            return;
        }
        h.raw("<section><h2>")
                .text(title)
                .raw("</h2>\n<figure><img src=\"data:image/png;base64,")
                .raw(Base64.getEncoder().encodeToString(png))
                .raw("\" width=\"")
                .raw(Integer.toString(ChartStyle.WIDTH))
                .raw("\" alt=\"")
                .text(title + " plot (" + file + ")")
                .raw("\">\n<figcaption>")
                .text(caption)
                .raw("</figcaption></figure>\n</section>\n");
    }
}
