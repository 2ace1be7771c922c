package dev.pacer.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.data.tokenize.TokenizerInfo;
import dev.pacer.model.ModelPreset;
import dev.pacer.report.ControllerEvents.AdaLrsDecision;
import dev.pacer.report.ControllerEvents.GroupFit;
import dev.pacer.report.ControllerEvents.HiDlrProbe;
import dev.pacer.report.RunRecords.MetricRow;
import dev.pacer.run.CheckpointStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;

/**
 * The report's HTML: summary cards, run facts, one section per plot with a caption saying how to
 * read it, the controllers' tables, the run history and the configuration. Self-contained: the
 * plots are embedded as PNG data and the styles inline; no script, no external file.
 */
final class ReportPage {

    private static final double LN2 = Math.log(2);

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
                .raw(CSS)
                .raw("</style>\n</head>\n<body>\n<main>\n");
        h.raw("<header><h1>Pacer run <span class=\"name\">")
                .text(name)
                .raw("</span></h1>\n<p class=\"sub\">")
                .text(r.runDir())
                .raw(" &middot; report written ")
                .text(time(Instant.now().toString()) + " UTC")
                .raw("</p></header>\n");
        summary(h, r, checkpoints);

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
            hiDlr(h, images, probes);
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
        history(h, r);
        configuration(h, r.config());
        h.raw("<footer>Written by <code>pacer report</code> from metrics.jsonl, events.jsonl and config.json;"
                + " PNG copies of the plots lie next to this file.</footer>\n</main>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void summary(Html h, RunRecords r, List<CheckpointStore.Candidate> checkpoints) {
        MetricRow last = r.last();
        JsonNode cfg = r.config();
        long planned = cfg == null ? -1 : cfg.path("train").path("max-steps").asLong(-1);
        Map<String, String> cards = new LinkedHashMap<>();
        cards.put("status", status(r));
        cards.put(
                "steps",
                String.format(Locale.ROOT, "%,d", last.step())
                        + (planned > 0 ? String.format(Locale.ROOT, " of %,d", planned) : ""));
        cards.put("tokens seen", AxisLabels.count(last.tokens()));
        List<MetricRow> val = r.validationRows();
        if (!val.isEmpty()) {
            MetricRow v = val.get(val.size() - 1);
            cards.put("validation loss", String.format(Locale.ROOT, "%.4f", v.valLoss()));
            // bits per byte from the row (exact for byte-level tokenizers); per token otherwise
            if (!Double.isNaN(v.valBitsPerByte()) || r.tokenUnit().equals("byte")) {
                cards.put(
                        "bits per byte",
                        String.format(
                                Locale.ROOT,
                                "%.3f",
                                Double.isNaN(v.valBitsPerByte()) ? v.valLoss() / LN2 : v.valBitsPerByte()));
            } else {
                cards.put("bits per token", String.format(Locale.ROOT, "%.3f", v.valLoss() / LN2));
            }
            cards.put("perplexity", String.format(Locale.ROOT, "%.2f", Math.exp(v.valLoss())));
        }
        cards.put("training loss", String.format(Locale.ROOT, "%.4f", last.loss()));
        double[] rates = r.metrics().stream()
                .mapToDouble(MetricRow::tokensPerS)
                .filter(Double::isFinite)
                .sorted()
                .toArray();
        if (rates.length > 0) {
            cards.put("median tokens/s", String.format(Locale.ROOT, "%,.0f", rates[rates.length / 2]));
        }
        cards.put("training time", duration(r.wallSeconds()));
        h.raw("<section class=\"cards\">\n");
        cards.forEach((k, v) -> h.raw("<div class=\"card\"><div class=\"k\">")
                .text(k)
                .raw("</div><div class=\"v\">")
                .text(v)
                .raw("</div></div>\n"));
        h.raw("</section>\n");

        Map<String, String> facts = new LinkedHashMap<>();
        if (cfg != null) {
            String preset = cfg.path("model").path("preset").asText("");
            facts.put("model", preset + parameters(preset, r.tokenizer()));
            JsonNode t = cfg.path("train");
            facts.put(
                    "batch",
                    t.path("global-batch").asText("?") + " sequences of "
                            + t.path("seq-len").asText("?") + " tokens a step (micro-batch "
                            + t.path("micro-batch").asText("?") + ")");
            facts.put(
                    "schedule",
                    t.path("schedule").asText("?") + ", peak learning rate "
                            + t.path("lr").asText("?") + ", warmup "
                            + t.path("warmup-fraction").asText("?") + " of the steps");
            JsonNode o = cfg.path("optimizer");
            facts.put(
                    "optimizer",
                    o.path("name").asText("?") + " (weight decay "
                            + o.path("weight-decay").asText("?") + ")");
            facts.put("seed", cfg.path("seed").asText("?"));
            facts.put("controllers", "AdaLRS " + onOff(cfg.path("adalrs")) + ", Hi-DLR " + onOff(cfg.path("hidlr")));
        }
        JsonNode corpus = r.lastEvent("corpus");
        if (corpus != null) {
            facts.put(
                    "corpus",
                    corpus.path("source").asText("?") + ": "
                            + String.format(
                                    Locale.ROOT,
                                    "%,d documents (%,d validation), %,d training sequences, order-0 entropy %.3f bits/%s",
                                    corpus.path("documents_read").asLong(),
                                    corpus.path("validation_documents").asLong(),
                                    corpus.path("train_sequences").asLong(),
                                    corpus.path("order0_entropy_bits").asDouble(),
                                    r.tokenUnit()));
        }
        JsonNode start = lastOf(r, "start", "resume");
        if (start != null) {
            facts.put("config digest", start.path("config_digest").asText("?"));
            facts.put(
                    "parallelism",
                    start.path("partitions").asText("?") + " partitions, "
                            + start.path("threads_per_task").asText("?") + " libtorch thread(s) per task");
        }
        JsonNode first = r.lastEventOf(List.of("start"));
        if (first != null) {
            facts.put("started", time(first.path("time").asText("?")) + " UTC");
        }
        List<String> committed = checkpoints.stream()
                .filter(CheckpointStore.Candidate::committed)
                .map(c -> "step " + c.step())
                .toList();
        facts.put("checkpoints", committed.isEmpty() ? "none committed" : String.join(", ", committed));
        h.raw("<section><h2>Run</h2>\n<table class=\"facts\">\n");
        facts.forEach(
                (k, v) -> h.raw("<tr><th>").text(k).raw("</th><td>").text(v).raw("</td></tr>\n"));
        h.raw("</table></section>\n");
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

    private static void hiDlr(Html h, Map<String, byte[]> images, List<HiDlrProbe> probes) {
        figure(
                h,
                "Hi-DLR rates per parameter group",
                images,
                "group-rates.png",
                "The rate Hi-DLR set for each"
                        + " parameter group at each probe, from a quadratic fit of the loss along the group's update"
                        + " direction (rate = b / A; docs/design.md section 4).");
        HiDlrProbe last = probes.get(probes.size() - 1);
        List<String> columns = new ArrayList<>(List.of("b", "A", "r2", "rate", "ppi"));
        Set<String> present = new LinkedHashSet<>();
        for (GroupFit g : last.groups()) {
            g.fields().fieldNames().forEachRemaining(present::add);
        }
        present.removeAll(List.of("group", "name"));
        columns.retainAll(present);
        present.stream().filter(f -> !columns.contains(f) && isValue(last, f)).forEach(columns::add);
        h.raw("<section><h2>Parameter-group influence (PPI)</h2>\n<p class=\"caption\">")
                .text("Latest probe, step "
                        + last.step() + " (" + probes.size()
                        + " probes in all). b: loss decrease per unit step along the"
                        + " group's direction; A: curvature; r2: fit quality; PPI = b\u00b2 / (A \u00b7 size): how much the"
                        + " group can lower the loss per parameter. Sorted by PPI.")
                .raw("</p>\n");
        h.raw("<table class=\"grid\"><thead><tr><th>group</th>");
        columns.forEach(c -> h.raw("<th>")
                .text(c.equals("r2") ? "R\u00b2" : c.equals("ppi") ? "PPI" : c)
                .raw("</th>"));
        h.raw("</tr></thead>\n");
        List<GroupFit> sorted = new ArrayList<>(last.groups());
        sorted.sort((a, b) -> Double.compare(finiteOr(b.number("ppi")), finiteOr(a.number("ppi"))));
        for (GroupFit g : sorted) {
            h.raw("<tr><td>").text(g.group()).raw("</td>");
            columns.forEach(c -> h.raw("<td>").text(cell(g.fields().get(c))).raw("</td>"));
            h.raw("</tr>\n");
        }
        h.raw("</table></section>\n");
    }

    private static void history(Html h, RunRecords r) {
        Set<String> controller = Set.of(ControllerEvents.ADALRS, ControllerEvents.HIDLR_PROBE);
        List<JsonNode> rows = r.events().stream()
                .filter(e -> !controller.contains(e.path("event").asText()))
                .toList();
        if (rows.isEmpty()) {
            return;
        }
        h.raw("<section><h2>Run history</h2>\n<p class=\"caption\">")
                .text("events.jsonl: starts, resumes," + " corpus counts, checkpoints and the end of each invocation.")
                .raw("</p>\n");
        h.raw("<table class=\"grid history\"><thead><tr><th>event</th><th>step</th><th>time (UTC)</th><th>details</th>"
                + "</tr></thead>\n");
        for (JsonNode e : rows) {
            List<String> details = new ArrayList<>();
            for (Map.Entry<String, JsonNode> f : e.properties()) {
                if (!Set.of("event", "step", "time").contains(f.getKey())) {
                    details.add(f.getKey() + " " + cell(f.getValue()));
                }
            }
            h.raw("<tr><td>")
                    .text(e.path("event").asText("?"))
                    .raw("</td><td>")
                    .text(e.has("step") ? e.get("step").asText() : "")
                    .raw("</td><td class=\"time\">")
                    .text(time(e.path("time").asText("")))
                    .raw("</td><td class=\"details\">")
                    .text(String.join(" \u00b7 ", details))
                    .raw("</td></tr>\n");
        }
        h.raw("</table></section>\n");
    }

    private static void configuration(Html h, JsonNode config) {
        h.raw("<section><h2>Configuration</h2>\n");
        if (config == null) {
            h.raw("<p class=\"caption\">No config.json in the run directory.</p></section>\n");
            return;
        }
        h.raw("<p class=\"caption\">")
                .text("The resolved settings of the latest invocation (config.json), every" + " key under pacer.")
                .raw("</p>\n<table class=\"grid config\">\n");
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("pacer", config, flat);
        flat.forEach((k, v) -> h.raw("<tr><th><code>")
                .text(k)
                .raw("</code></th><td><code>")
                .text(v)
                .raw("</code></td></tr>\n"));
        h.raw("</table></section>\n");
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject() && node.size() > 0) {
            List<String> keys = new ArrayList<>();
            node.fieldNames().forEachRemaining(keys::add);
            keys.sort(null);
            for (String k : keys) {
                flatten(prefix + "." + k, node.get(k), out);
            }
        } else {
            out.put(prefix, node.isTextual() ? node.asText() : node.toString());
        }
    }

    private static String status(RunRecords r) {
        JsonNode end = null;
        JsonNode begin = null;
        for (JsonNode e : r.events()) {
            String kind = e.path("event").asText();
            if (kind.equals("finished") || kind.equals("stopped")) {
                end = e;
            } else if (kind.equals("start") || kind.equals("resume")) {
                begin = e;
                end = null;
            }
        }
        if (end != null) {
            return end.path("event").asText().equals("finished") ? "finished" : "stopped, resumable";
        }
        return begin == null ? "unknown" : "running or interrupted";
    }

    private static JsonNode lastOf(RunRecords r, String... kinds) {
        return r.lastEventOf(Arrays.asList(kinds));
    }

    private static String parameters(String preset, TokenizerInfo tokenizer) {
        if (tokenizer == null) {
            return "";
        }
        try {
            long n = ModelPreset.fromId(preset).config(tokenizer.vocabSize()).parameterCount();
            return String.format(Locale.ROOT, " (%,d parameters, %s)", n, tokenizer.describe());
        } catch (RuntimeException e) {
            return "";
        }
    }

    private static String onOff(JsonNode section) {
        return section.path("enabled").asBoolean(false) ? "on" : "off";
    }

    private static boolean isValue(HiDlrProbe p, String field) {
        return p.groups().stream()
                .allMatch(g ->
                        g.fields().get(field) == null || g.fields().get(field).isValueNode());
    }

    private static double finiteOr(double v) {
        return Double.isFinite(v) ? v : Double.NEGATIVE_INFINITY;
    }

    static String cell(JsonNode v) {
        if (v == null || v.isNull()) {
            return "";
        }
        if (v.isFloatingPointNumber()) {
            return num(v.asDouble());
        }
        return v.isTextual() ? v.asText() : v.toString();
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        double a = Math.abs(v);
        return a != 0 && (a < 1e-3 || a >= 1e6)
                ? String.format(Locale.ROOT, "%.3e", v)
                : String.format(Locale.ROOT, "%.4g", v);
    }

    /** An ISO instant as "2026-01-01 12:00:00", or the text unchanged when it is not one. */
    static String time(String iso) {
        try {
            return Instant.parse(iso)
                    .truncatedTo(ChronoUnit.SECONDS)
                    .toString()
                    .replace('T', ' ')
                    .replace("Z", "");
        } catch (java.time.format.DateTimeParseException e) {
            return iso;
        }
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600
                ? String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60) : s + " s";
    }

    /** A string builder that escapes text for HTML. */
    static final class Html {
        private final StringBuilder sb = new StringBuilder(1 << 16);

        Html raw(String s) {
            sb.append(s);
            return this;
        }

        Html text(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '<' -> sb.append("&lt;");
                    case '>' -> sb.append("&gt;");
                    case '&' -> sb.append("&amp;");
                    case '"' -> sb.append("&quot;");
                    default -> sb.append(c);
                }
            }
            return this;
        }

        @Override
        public String toString() {
            return sb.toString();
        }
    }

    private static final String CSS = """
            :root { color-scheme: light; }
            body { margin: 0; background: #f4f5f7; color: #1d1f23;
                   font: 15px/1.5 "DejaVu Sans", system-ui, -apple-system, "Segoe UI", sans-serif; }
            main { max-width: 1040px; margin: 0 auto; padding: 24px 20px 48px; }
            header h1 { margin: 0; font-size: 26px; font-weight: 600; }
            header .name { color: #1f5f99; }
            .sub { margin: 4px 0 20px; color: #5b6270; font-size: 13px; word-break: break-all; }
            section { background: #fff; border: 1px solid #e1e4e8; border-radius: 8px; padding: 16px 20px;
                      margin: 0 0 18px; }
            h2 { margin: 0 0 10px; font-size: 18px; font-weight: 600; }
            section.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 12px;
                            background: none; border: none; padding: 0; }
            .card { background: #fff; border: 1px solid #e1e4e8; border-radius: 8px; padding: 10px 14px; }
            .card .k { color: #5b6270; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
            .card .v { font-size: 20px; font-weight: 600; margin-top: 2px; }
            figure { margin: 0; }
            figure img { display: block; width: 100%; height: auto; }
            figcaption, .caption { color: #4a505c; font-size: 13.5px; margin: 8px 0 0; }
            .caption { margin: 0 0 10px; }
            table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
            table.facts th { text-align: left; width: 150px; color: #5b6270; font-weight: 500; padding: 4px 12px 4px 0;
                             vertical-align: top; }
            table.facts td { padding: 4px 0; word-break: break-word; }
            table.grid th, table.grid td { border-bottom: 1px solid #eceef1; padding: 5px 10px 5px 0; text-align: left;
                                           vertical-align: top; }
            table.grid thead th { border-bottom: 2px solid #d5d9de; color: #40464f; }
            table.history td.time { white-space: nowrap; }
            table.config th { font-weight: normal; width: 45%; }
            table.history td.details { color: #4a505c; font-size: 12.5px; word-break: break-word; }
            td.up { color: #1e7b1e; font-weight: 600; } td.down { color: #b51f1f; font-weight: 600; }
            td.same { color: #5b6270; }
            code { font: 12.5px/1.4 "DejaVu Sans Mono", ui-monospace, monospace; }
            footer { color: #6a717d; font-size: 12.5px; margin-top: 8px; }
            """;
}
