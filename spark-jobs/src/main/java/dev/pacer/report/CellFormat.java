package dev.pacer.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** Values as the report's tables print them: numbers to four significant digits, times to the second. */
final class CellFormat {

    private CellFormat() {}

    static String cell(JsonNode v) {
        if (v == null || v.isNull()) {
            return "";
        }
        if (v.isFloatingPointNumber()) {
            return num(v.asDouble());
        }
        return v.isTextual() ? v.asText() : v.toString();
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        double a = Math.abs(v);
        return a != 0 && (a < 1e-3 || a >= 1e6)
                ? String.format(Locale.ROOT, "%.3e", v)
                : String.format(Locale.ROOT, "%.4g", v);
    }

    /** An ISO instant as "2026-01-01 12:00:00", or the text unchanged when it is not one. */
    static String time(String iso) {
        try {
            return Instant.parse(iso)
                    .truncatedTo(ChronoUnit.SECONDS)
                    .toString()
                    .replace('T', ' ')
                    .replace("Z", "");
        } catch (java.time.format.DateTimeParseException e) {
            return iso;
        }
    }
}
