package dev.pacer.data.source;

import java.util.Locale;

/** What to do with a record whose bytes are not valid UTF-8 ({@code pacer.data.invalid-utf8}). */
public enum Utf8Policy {
    /** Keep the record with each invalid sequence replaced by U+FFFD; counted as replaced. */
    REPLACE,
    /** Drop the record; counted as skipped (invalid_utf8) and towards the bad fraction. */
    SKIP;

    public static Utf8Policy fromSetting(String key, String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "replace" -> REPLACE;
            case "skip" -> SKIP;
            default -> throw new IllegalArgumentException(key + " = \"" + value + "\": expected one of replace, skip");
        };
    }
}
