package dev.pacer.data.source;

import java.util.Locale;

/** What one document of a plain-text input is ({@code pacer.data.text-unit}). */
public enum TextUnit {
    LINE,
    FILE;

    public static TextUnit fromSetting(String key, String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "line" -> LINE;
            case "file" -> FILE;
            default -> throw new IllegalArgumentException(key + " = \"" + value + "\": expected one of line, file");
        };
    }
}
