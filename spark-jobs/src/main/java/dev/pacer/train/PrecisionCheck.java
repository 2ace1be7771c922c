package dev.pacer.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.data.CorpusPartition;
import dev.pacer.engine.Bf16Hardware;
import dev.pacer.engine.DeviceChoice;
import dev.pacer.engine.Precision;
import dev.pacer.run.JsonLinesLog;
import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaRDD;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The precision a run computes in. {@code pacer.train.precision = bf16} needs a native bf16 path on
 * every executor that trains: where one has none, the whole run computes in fp32 (libtorch would
 * emulate bf16 there, slower than fp32 and no more exact), with a warning and a {@code precision}
 * event. Checked once per invocation, so a run resumed on other machines decides again.
 */
public final class PrecisionCheck {

    private static final Logger LOG = LoggerFactory.getLogger(PrecisionCheck.class);

    private PrecisionCheck() {}

    /** The decision and the event that records it (null for fp32 asked: nothing to check). */
    record Decision(Precision effective, ObjectNode event) {}

    /**
     * Asks every partition's executor about its CPU (GPU tasks count as native: not checked),
     * logs the decision and appends its event.
     */
    static Precision resolve(
            Precision requested,
            JavaRDD<CorpusPartition> data,
            DeviceChoice.Setting device,
            Consumer<ObjectNode> events) {
        if (requested == Precision.FP32) {
            return requested;
        }
        List<Bf16Hardware> executors = data.mapPartitions(
                        it -> List.of(taskHardware(device)).iterator())
                .collect();
        Decision d = decide(requested, executors);
        events.accept(d.event());
        return d.effective();
    }

    /** The rule: bf16 only if every executor has a native bf16 path. */
    static Decision decide(Precision requested, List<Bf16Hardware> executors) {
        if (requested == Precision.FP32) {
            return new Decision(requested, null);
        }
        List<String> seen = executors.stream()
                .map(Bf16Hardware::describe)
                .distinct()
                .sorted()
                .toList();
        List<String> lacking = executors.stream()
                .filter(h -> !h.nativeBf16())
                .map(Bf16Hardware::describe)
                .distinct()
                .sorted()
                .toList();
        Precision effective = lacking.isEmpty() ? Precision.BF16 : Precision.FP32;
        ObjectNode event = JsonLinesLog.row()
                .put("event", "precision")
                .put("requested", requested.id())
                .put("effective", effective.id());
        seen.forEach(s -> event.withArray("executor_cpus").add(s));
        if (lacking.isEmpty()) {
            LOG.info("computing in bf16: executor CPUs {}", seen);
        } else {
            String reason = "no native bf16 path on " + String.join("; ", lacking);
            event.put("reason", reason);
            LOG.warn("pacer.train.precision = bf16 but {}: this run computes in fp32 (docs/precision.md)", reason);
        }
        event.put("time", java.time.Instant.now().toString());
        return new Decision(effective, event);
    }

    private static Bf16Hardware taskHardware(DeviceChoice.Setting device) {
        DeviceChoice choice = ExecutorDevice.choose(device);
        return choice.isGpu()
                ? new Bf16Hardware(true, choice.device(), "GPU, not checked")
                : Bf16Hardware.thisMachine();
    }
}
