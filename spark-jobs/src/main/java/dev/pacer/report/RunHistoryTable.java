package dev.pacer.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The report's run history: every event of {@code events.jsonl} except the controllers' (they
 * have their own sections), one row each with its remaining fields as details.
 */
final class RunHistoryTable {

    private RunHistoryTable() {}

    static void section(Html h, RunRecords r) {
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
                    details.add(f.getKey() + " " + CellFormat.cell(f.getValue()));
                }
            }
            h.raw("<tr><td>")
                    .text(e.path("event").asText("?"))
                    .raw("</td><td>")
                    .text(e.has("step") ? e.get("step").asText() : "")
                    .raw("</td><td class=\"time\">")
                    .text(CellFormat.time(e.path("time").asText("")))
                    .raw("</td><td class=\"details\">")
                    .text(String.join(" \u00b7 ", details))
                    .raw("</td></tr>\n");
        }
        h.raw("</table></section>\n");
    }
}
