package dev.pacer.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The learning-rate controllers' rows in {@code events.jsonl}, read by field name only, so the
 * report needs nothing from the controllers' classes. The fields read are listed in
 * docs/reports.md; a missing number reads as NaN.
 */
final class ControllerEvents {

    static final String ADALRS = "adalrs";
    static final String HIDLR_PROBE = "hidlr_probe";

    private ControllerEvents() {}

    /** One AdaLRS search decision (event {@code adalrs}). */
    record AdaLrsDecision(long step, long round, String outcome, double oldLevel, double newLevel, JsonNode row) {}

    /** One group's fit in a Hi-DLR probe. */
    record GroupFit(String group, JsonNode fields) {
        double number(String field) {
            JsonNode v = fields.get(field);
            return v != null && v.isNumber() ? v.asDouble() : Double.NaN;
        }
    }

    /** One Hi-DLR probe (event {@code hidlr_probe}). */
    record HiDlrProbe(long step, List<GroupFit> groups) {}

    static List<AdaLrsDecision> adaLrs(RunRecords records) {
        List<AdaLrsDecision> out = new ArrayList<>();
        for (JsonNode e : records.events(ADALRS)) {
            out.add(new AdaLrsDecision(
                    e.path("step").asLong(-1),
                    e.path("round").asLong(-1),
                    e.path("outcome").asText("unknown"),
                    number(e, "old_level"),
                    number(e, "new_level"),
                    e));
        }
        return out;
    }

    /**
     * Hi-DLR probes. A probe's groups are read from {@code groups}, either an array of objects
     * naming their group in {@code group} (or {@code name}), or an object keyed by group name.
     */
    static List<HiDlrProbe> hiDlr(RunRecords records) {
        List<HiDlrProbe> out = new ArrayList<>();
        for (JsonNode e : records.events(HIDLR_PROBE)) {
            List<GroupFit> groups = new ArrayList<>();
            JsonNode g = e.path("groups");
            if (g.isArray()) {
                int i = 0;
                for (JsonNode fit : g) {
                    String name = fit.path("group").asText(fit.path("name").asText("group " + i));
                    groups.add(new GroupFit(name, fit));
                    i++;
                }
            } else if (g.isObject()) {
                for (Map.Entry<String, JsonNode> f : g.properties()) {
                    groups.add(new GroupFit(f.getKey(), f.getValue()));
                }
            }
            out.add(new HiDlrProbe(e.path("step").asLong(-1), groups));
        }
        return out;
    }

    private static double number(JsonNode row, String field) {
        JsonNode v = row.get(field);
        return v != null && v.isNumber() ? v.asDouble() : Double.NaN;
    }
}
