package dev.pacer.hidlr;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** The events.jsonl rows of Hi-DLR: its plan at the start of a run, and each probe's fits. */
final class HiDlrEvents {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HiDlrEvents() {}

    static ObjectNode plan(
            String grouping,
            long every,
            int forwards,
            int probeSequences,
            double estimatedOverhead,
            boolean shapeOnly,
            ParameterGroups groups,
            boolean[] frozen) {
        ObjectNode e = JSON.createObjectNode()
                .put("event", "hidlr_plan")
                .put("grouping", grouping)
                .put("every", every)
                .put("forwards", forwards)
                .put("probe_sequences", probeSequences)
                .put("estimated_overhead", estimatedOverhead)
                .put("shape_only", shapeOnly);
        ArrayNode arr = e.putArray("groups");
        for (int g = 0; g < groups.count(); g++) {
            arr.addObject()
                    .put("group", groups.group(g).name())
                    .put("size", groups.group(g).size())
                    .put("frozen", frozen[g]);
        }
        return e;
    }

    static ObjectNode probe(
            long step,
            int probe,
            double baseRate,
            double baseLoss,
            boolean shapeOnly,
            List<HiDlrController.GroupFit> fits) {
        ObjectNode e = JSON.createObjectNode()
                .put("event", "hidlr_probe")
                .put("step", step)
                .put("probe", probe)
                .put("base_rate", baseRate)
                .put("loss", baseLoss)
                .put("shape_only", shapeOnly);
        ArrayNode arr = e.putArray("groups");
        for (HiDlrController.GroupFit f : fits) {
            ObjectNode g = arr.addObject().put("group", f.group()).put("size", f.size());
            if (f.fit() != null) {
                number(
                        number(number(g, "b", f.fit().b()), "A", f.fit().a()),
                        "r2",
                        f.fit().r2());
            }
            g.put("accepted", f.accepted());
            if (!f.accepted()) {
                g.put("reason", f.reason());
            } else {
                g.put("best_rate", f.proposedRate());
            }
            number(g.put("rate", f.rate()).put("multiplier", f.multiplier()), "ppi", f.ppi());
        }
        return e;
    }

    /** Puts a number, or null when it is not finite (JSON has no NaN). */
    static ObjectNode number(ObjectNode o, String key, double v) {
        return Double.isFinite(v) ? o.put(key, v) : o.putNull(key);
    }
}
