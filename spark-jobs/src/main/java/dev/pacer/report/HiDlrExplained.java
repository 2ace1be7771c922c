package dev.pacer.report;

import dev.pacer.report.ControllerEvents.GroupFit;
import dev.pacer.report.ControllerEvents.HiDlrProbe;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The report's Hi-DLR part: the rate it set per parameter group over the run, and the latest
 * probe's fit per group ranked by parameter-group influence. The table shows whatever fields the
 * probe events carry, so a newer controller's extra fields appear without a change here.
 */
final class HiDlrExplained {

    private HiDlrExplained() {}

    static void section(Html h, Map<String, byte[]> images, List<HiDlrProbe> probes) {
        ReportPage.figure(
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
            columns.forEach(
                    c -> h.raw("<td>").text(CellFormat.cell(g.fields().get(c))).raw("</td>"));
            h.raw("</tr>\n");
        }
        h.raw("</table></section>\n");
    }

    private static boolean isValue(HiDlrProbe p, String field) {
        return p.groups().stream()
                .allMatch(g ->
                        g.fields().get(field) == null || g.fields().get(field).isValueNode());
    }

    private static double finiteOr(double v) {
        return Double.isFinite(v) ? v : Double.NEGATIVE_INFINITY;
    }
}
