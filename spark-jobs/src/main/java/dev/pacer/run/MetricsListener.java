package dev.pacer.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.train.StepRecord;
import dev.pacer.train.TrainingListener;
import dev.pacer.train.ValidationBytes;

/**
 * Writes one {@code metrics.jsonl} row per step (step, tokens, loss, lr, grad_norm,
 * tokens_per_s, elapsed_s; lr_groups with Hi-DLR's rate per parameter group when it runs; val_loss and
 * val_bits_per_byte on validation steps, val_bits_per_token instead when the tokenizer is not byte-level)
 * and one {@code events.jsonl} row per checkpoint. Only tokens_per_s and elapsed_s depend on timing.
 */
public final class MetricsListener implements TrainingListener {

    private static final double LN2 = Math.log(2);

    private final JsonLinesLog metrics;
    private final JsonLinesLog events;
    private final long startNanos = System.nanoTime();

    private final ValidationBytes validationBytes;

    /**
     * @param validationBytes the bytes behind the validation set, which turn validation losses into
     *     bits per byte (written with the event that records them); bits per token when unknown
     */
    public MetricsListener(JsonLinesLog metrics, JsonLinesLog events, ValidationBytes validationBytes) {
        this.metrics = metrics;
        this.events = events;
        this.validationBytes = validationBytes;
        events.append(validationBytes.event());
    }

    /** Fields whose values depend on wall-clock time; all others are deterministic. */
    public static final java.util.Set<String> TIMING_FIELDS = java.util.Set.of("tokens_per_s", "elapsed_s");

    @Override
    public void onStep(StepRecord r) {
        ObjectNode row = JsonLinesLog.row();
        row.put("step", r.step());
        row.put("tokens", r.tokens());
        row.put("loss", r.loss());
        row.put("lr", r.lr());
        row.put("grad_norm", r.gradNorm());
        if (r.phase() != null) {
            row.put("lr_level", r.level());
            row.put("adalrs_phase", r.phase());
        }
        if (r.groupRates() != null) {
            ObjectNode rates = row.putObject("lr_groups");
            r.groupRates().forEach(rates::put);
        }
        if (r.hasValidation()) {
            row.put("val_loss", r.valLoss());
            if (validationBytes.exact()) {
                row.put("val_bits_per_byte", validationBytes.bitsPerByte(r.valLoss()));
            } else {
                row.put("val_bits_per_token", r.valLoss() / LN2);
            }
        }
        row.put("tokens_per_s", Math.round(r.timings().tokensPerSecond() * 10) / 10.0);
        row.put("elapsed_s", Math.round((System.nanoTime() - startNanos) / 1e7) / 100.0);
        metrics.append(row);
    }

    @Override
    public void onEvent(ObjectNode event) {
        events.append(event);
    }

    @Override
    public void onCheckpoint(long step, String location) {
        ObjectNode row = JsonLinesLog.row();
        row.put("event", "checkpoint");
        row.put("step", step);
        row.put("path", location);
        row.put("time", java.time.Instant.now().toString());
        events.append(row);
    }
}
