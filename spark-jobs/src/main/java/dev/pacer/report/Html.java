package dev.pacer.report;

/**
 * A string builder for the report page that escapes text for HTML, so that names, paths and
 * config values from the run directory cannot break the page or inject markup.
 */
final class Html {
    private final StringBuilder sb = new StringBuilder(1 << 16);

    Html raw(String s) {
        sb.append(s);
        return this;
    }

    Html text(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                default -> sb.append(c);
            }
        }
        return this;
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
