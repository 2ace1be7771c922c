package dev.pacer.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.pacer.run.PacerSettings;
import dev.pacer.run.RunStorage;
import dev.pacer.train.PretrainJob;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * One run of a sweep in its own run directory. A run an earlier invocation finished is read back
 * (PretrainJob finds it complete and returns at once), so an interrupted sweep resumes and a
 * finished one can be extended.
 */
public final class SweepRun {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One run's outcome. {@code decisions} is the sequence of the run's AdaLRS outcomes, one
     * letter each (a accept, r reject, n neutral, d diverged, s rising, u upscaling stopped, x no
     * warmup race; the race's own decision in capitals), empty without AdaLRS.
     */
    public record Result(
            String kind,
            double startLr,
            double finalLr,
            double valLoss,
            long steps,
            long tokens,
            double wallSeconds,
            String decisions) {}

    /** Runs (or reads back) one sweep run. */
    @FunctionalInterface
    public interface Runner {
        Result run(String dir, String kind, double lr, PacerSettings settings) throws IOException;
    }

    private SweepRun() {}

    /** The runner that trains with {@link PretrainJob}, logging each run's start to {@code out}. */
    public static Runner pretrain(PrintStream out) {
        return (dir, kind, lr, base) -> {
            PacerSettings s = PacerSettings.load(ConfigFactory.empty()
                    .withValue("pacer.run.dir", ConfigValueFactory.fromAnyRef(dir))
                    .withFallback(base.resolved()));
            out.printf("sweep: %s run from lr %.3e (%s)%n", kind, lr, dir);
            long t0 = System.nanoTime();
            PretrainJob.Outcome o = new PretrainJob(s, 0, List.of()).run();
            double wall = (System.nanoTime() - t0) / 1e9;
            if (o.corpus() == null) {
                // finished by an earlier invocation: its own wall time is in its metrics
                wall = lastValue(dir, "elapsed_s", wall);
            }
            double level = lastValue(dir, "lr_level", 1.0);
            return new Result(
                    kind,
                    lr,
                    lr * level,
                    o.finalValLoss(),
                    o.state().step(),
                    o.state().tokens(),
                    wall,
                    decisions(dir));
        };
    }

    /**
     * A finished run read back from its files alone (no training, no checkpoint read): its
     * {@code finished} event, the last {@code lr_level} and {@code elapsed_s} of its metrics and its
     * decisions; empty while the run has not finished.
     */
    static java.util.Optional<Result> read(String dir, String kind, double lr) throws IOException {
        JsonNode end = null;
        for (JsonNode row : rows(dir, "events.jsonl")) {
            if ("finished".equals(row.path("event").asText())) {
                end = row;
            }
        }
        if (end == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Result(
                kind,
                lr,
                lr * lastValue(dir, "lr_level", 1.0),
                // a diverged run's loss is written as the text "NaN"
                end.path("val_loss").isNumber() ? end.path("val_loss").doubleValue() : Double.NaN,
                end.path("step").asLong(),
                end.path("tokens").asLong(),
                lastValue(dir, "elapsed_s", Double.NaN),
                decisions(dir)));
    }

    private static double lastValue(String dir, String field, double fallback) throws IOException {
        double v = fallback;
        for (JsonNode row : rows(dir, "metrics.jsonl")) {
            if (row.has(field)) {
                v = row.get(field).asDouble();
            }
        }
        return v;
    }

    static String decisions(String dir) throws IOException {
        StringBuilder s = new StringBuilder();
        for (JsonNode row : rows(dir, "events.jsonl")) {
            if ("adalrs".equals(row.path("event").asText())) {
                char l = letter(row.path("outcome").asText(""));
                // the warmup race's decision in capitals
                s.append(row.path("race").asBoolean() ? Character.toUpperCase(l) : l);
            }
        }
        return s.toString();
    }

    static char letter(String outcome) {
        return switch (outcome) {
            case "accept" -> 'a';
            case "reject" -> 'r';
            case "neutral" -> 'n';
            case "diverged" -> 'd';
            case "rising" -> 's';
            case "upscaling_stopped" -> 'u';
            case "race-skipped" -> 'x';
            default -> '?';
        };
    }

    private static List<JsonNode> rows(String dir, String file) throws IOException {
        RunStorage storage = new RunStorage(dir, new Configuration());
        Path p = storage.resolve(file);
        if (!storage.exists(p)) {
            return List.of();
        }
        List<JsonNode> out = new java.util.ArrayList<>();
        for (String line : new String(storage.readAll(p), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }
}
