package dev.pacer.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.data.tokenize.TokenizerInfo;
import dev.pacer.model.ModelPreset;
import dev.pacer.report.RunRecords.MetricRow;
import dev.pacer.run.CheckpointStore;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The top of the report: summary cards (status, progress, losses, speed) and the table of run
 * facts (model, batch, schedule, optimizer, corpus, checkpoints), read from the run's config,
 * metrics and events.
 */
final class RunSummary {

    private static final double LN2 = Math.log(2);

    private RunSummary() {}

    /** The cards across the top: where the run stands and how well it did, at a glance. */
    static void cards(Html h, RunRecords r) {
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
    }

    /** The run's facts: what was trained on what, how, and which checkpoints it left. */
    static void facts(Html h, RunRecords r, List<CheckpointStore.Candidate> checkpoints) {
        JsonNode cfg = r.config();
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
            facts.put("started", CellFormat.time(first.path("time").asText("?")) + " UTC");
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

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600
                ? String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60) : s + " s";
    }
}
