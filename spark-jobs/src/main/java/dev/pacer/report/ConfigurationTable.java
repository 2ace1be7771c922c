package dev.pacer.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report's configuration: every resolved key under {@code pacer} of the latest invocation,
 * flattened to dotted names in sorted order, so that it reads like the {@code -D} options and
 * config files a user writes.
 */
final class ConfigurationTable {

    private ConfigurationTable() {}

    static void section(Html h, JsonNode config) {
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
}
