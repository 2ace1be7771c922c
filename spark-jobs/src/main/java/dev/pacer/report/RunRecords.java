package dev.pacer.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.config.ConfigError;
import dev.pacer.data.tokenize.TokenizerInfo;
import dev.pacer.data.tokenize.TokenizerSpec;
import dev.pacer.run.RunStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import org.apache.hadoop.fs.Path;

/**
 * What a run directory records, read back for the report: {@code metrics.jsonl} (required),
 * {@code events.jsonl} and {@code config.json} (optional). Rows that are not JSON objects (a
 * row cut off by a crash) are skipped and counted.
 *
 * @param config the run's resolved settings, or null when {@code config.json} is absent
 */
public record RunRecords(
        String runDir, List<MetricRow> metrics, List<JsonNode> events, JsonNode config, int skippedRows) {

    static final ObjectMapper JSON = new ObjectMapper();

    /** One {@code metrics.jsonl} row; absent numbers are NaN. */
    public record MetricRow(
            long step,
            long tokens,
            double loss,
            double lr,
            double gradNorm,
            double tokensPerS,
            double elapsedS,
            double valLoss,
            double valBitsPerByte,
            double lrLevel,
            String adalrsPhase) {

        public boolean hasValidation() {
            return !Double.isNaN(valLoss);
        }
    }

    /**
     * Reads the records of the run at {@code storage}.
     *
     * @throws ConfigError when the directory or its {@code metrics.jsonl} is missing or has no row
     */
    public static RunRecords read(RunStorage storage, Consumer<String> warn) throws IOException {
        Path root = storage.root();
        if (!storage.exists(root) || !storage.fs().getFileStatus(root).isDirectory()) {
            throw new ConfigError(root + ": no such run directory; give the directory a pretrain run wrote"
                    + " (--run-dir, default runs/default)");
        }
        Path metricsPath = storage.resolve("metrics.jsonl");
        if (!storage.exists(metricsPath)) {
            throw new ConfigError(root + " has no metrics.jsonl: not a run directory, or its run has not finished"
                    + " a step yet; give the directory a pretrain run wrote (--run-dir)");
        }
        int[] skipped = {0};
        List<MetricRow> metrics = new ArrayList<>();
        for (JsonNode n : jsonLines(storage, metricsPath, skipped)) {
            if (n.has("step")) {
                metrics.add(new MetricRow(
                        n.get("step").asLong(),
                        n.path("tokens").asLong(0),
                        number(n, "loss"),
                        number(n, "lr"),
                        number(n, "grad_norm"),
                        number(n, "tokens_per_s"),
                        number(n, "elapsed_s"),
                        number(n, "val_loss"),
                        number(n, "val_bits_per_byte"),
                        number(n, "lr_level"),
                        n.path("adalrs_phase").asText("")));
            } else {
                skipped[0]++;
            }
        }
        if (metrics.isEmpty()) {
            throw new ConfigError(metricsPath + " holds no metric row: the run has not finished a step yet;"
                    + " report on it after its first step");
        }
        Path eventsPath = storage.resolve("events.jsonl");
        List<JsonNode> events = storage.exists(eventsPath) ? jsonLines(storage, eventsPath, skipped) : List.of();
        JsonNode config = null;
        Path configPath = storage.resolve("config.json");
        if (storage.exists(configPath)) {
            try {
                config = JSON.readTree(storage.readAll(configPath));
            } catch (IOException e) {
                warn.accept(configPath + " is not readable JSON; the report leaves out the configuration");
            }
        }
        if (skipped[0] > 0) {
            warn.accept(skipped[0] + " unreadable rows in " + root + " skipped (a row cut off by a crash)");
        }
        return new RunRecords(root.toString(), Collections.unmodifiableList(metrics), events, config, skipped[0]);
    }

    /**
     * The rows of the branch the run went on with. AdaLRS's paired comparison computes a round's
     * steps twice (base, then the trial replaying them); every row stays in metrics.jsonl, and
     * here the losing branch's rows are left out, so a chart over steps shows one trajectory:
     * the base rows of an accepted trial's round, the trial rows of any other round.
     */
    public List<MetricRow> trajectory() {
        List<long[]> dropped = new ArrayList<>(); // from (exclusive), to (inclusive), 1 = base, 0 = trial
        for (JsonNode e : events("adalrs")) {
            if (!e.has("replayed_from")) {
                continue;
            }
            boolean accepted = "accept".equals(e.path("outcome").asText());
            dropped.add(
                    new long[] {e.get("replayed_from").asLong(), e.get("step").asLong(), accepted ? 1 : 0});
        }
        if (dropped.isEmpty()) {
            return metrics;
        }
        List<MetricRow> kept = new ArrayList<>();
        for (MetricRow r : metrics) {
            boolean drop = false;
            for (long[] d : dropped) {
                if (r.step() > d[0] && r.step() <= d[1] && r.adalrsPhase().equals(d[2] == 1 ? "base" : "trial")) {
                    drop = true;
                    break;
                }
            }
            if (!drop) {
                kept.add(r);
            }
        }
        return kept;
    }

    /** Events whose {@code event} field is {@code kind}, in file order. */
    public List<JsonNode> events(String kind) {
        return events.stream()
                .filter(e -> kind.equals(e.path("event").asText()))
                .toList();
    }

    /** The last event of {@code kind}, or null. */
    public JsonNode lastEvent(String kind) {
        return lastEventOf(List.of(kind));
    }

    /**
     * The tokenizer of the run as its {@code validation_set} event records it; for runs older than
     * that event, the byte tokenizer when the settings name it (and no prepared dataset), else null.
     */
    public TokenizerInfo tokenizer() {
        JsonNode e = lastEvent("validation_set");
        if (e != null && e.path("tokenizer").isObject()) {
            return TokenizerInfo.read(e.get("tokenizer")::path);
        }
        JsonNode data = config == null ? null : config.path("data");
        if (data != null
                && data.path("path").asText("").isEmpty()
                && data.path("tokenizer").asText("byte").equals(TokenizerSpec.BYTE)) {
            return TokenizerSpec.byteLevel().info();
        }
        return null;
    }

    /** "byte" when a token is a byte (the byte tokenizer), else "token": the unit of bits per token figures. */
    public String tokenUnit() {
        TokenizerInfo t = tokenizer();
        return t != null && t.isByte() ? "byte" : "token";
    }

    /** The last event whose kind is one of {@code kinds}, or null. */
    public JsonNode lastEventOf(List<String> kinds) {
        JsonNode found = null;
        for (JsonNode e : events) {
            if (kinds.contains(e.path("event").asText())) {
                found = e;
            }
        }
        return found;
    }

    public MetricRow last() {
        return metrics.get(metrics.size() - 1);
    }

    public List<MetricRow> validationRows() {
        return metrics.stream().filter(MetricRow::hasValidation).toList();
    }

    /**
     * Wall-clock seconds the run trained: {@code elapsed_s} restarts with every invocation of a
     * resumed run, so the last value of each invocation is summed.
     */
    public double wallSeconds() {
        double total = 0;
        double previous = 0;
        for (MetricRow r : metrics) {
            if (Double.isNaN(r.elapsedS())) {
                continue;
            }
            if (r.elapsedS() < previous) {
                total += previous;
            }
            previous = r.elapsedS();
        }
        return total + previous;
    }

    private static List<JsonNode> jsonLines(RunStorage storage, Path path, int[] skipped) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : new String(storage.readAll(path), StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode n = JSON.readTree(line);
                if (n != null && n.isObject()) {
                    rows.add(n);
                    continue;
                }
            } catch (IOException e) {
                // counted below
            }
            skipped[0]++;
        }
        return rows;
    }

    private static double number(JsonNode row, String field) {
        JsonNode v = row.get(field);
        return v != null && v.isNumber() ? v.asDouble() : Double.NaN;
    }
}
