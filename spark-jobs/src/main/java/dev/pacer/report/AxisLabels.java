package dev.pacer.report;

import java.util.Locale;

/** Numbers as the plots' axes, legends and the summary cards print them: short and round. */
final class AxisLabels {

    private AxisLabels() {}

    /** The power of ten at or below {@code v} (0 for non-positive values). */
    static int decimalExponent(double v) {
        return v > 0 && Double.isFinite(v) ? (int) Math.floor(Math.log10(v)) : 0;
    }

    /** "10⁻³" for -3. */
    static String powerOfTen(int exponent) {
        String digits = Integer.toString(exponent);
        StringBuilder sb = new StringBuilder("10");
        for (char ch : digits.toCharArray()) {
            sb.append(
                    ch == '-'
                            ? '\u207b'
                            : "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079".charAt(ch - '0'));
        }
        return sb.toString();
    }

    /** 1234567 as "1.23M", 45000 as "45k". */
    static String count(double v) {
        double a = Math.abs(v);
        if (a >= 1e9) {
            return trim(v / 1e9) + "G";
        }
        if (a >= 1e6) {
            return trim(v / 1e6) + "M";
        }
        if (a >= 1e3) {
            return trim(v / 1e3) + "k";
        }
        return trim(v);
    }

    static String scientific(double v) {
        return v == 0 ? "0" : String.format(Locale.ROOT, "%.1e", v);
    }

    static String format(double v) {
        return trim(v);
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.2f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
