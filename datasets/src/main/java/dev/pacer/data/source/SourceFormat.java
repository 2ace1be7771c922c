package dev.pacer.data.source;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How an input file holds its documents ({@code pacer.data.format}). */
public enum SourceFormat {
    /** Chosen per file: by extension, or a directory with {@code state.json}. */
    AUTO("auto"),
    /** Plain UTF-8 text: one document a line or a file ({@code pacer.data.text-unit}). */
    TEXT("text"),
    /** One JSON object a line; the document is the string field {@code pacer.data.text-field}. */
    JSONL("jsonl"),
    /** Parquet files; the document is the string column {@code pacer.data.text-field} (Spark's reader). */
    PARQUET("parquet"),
    /** A Hugging Face {@code datasets} directory written by {@code save_to_disk} (Arrow IPC streams). */
    HUGGINGFACE("huggingface"),
    /** The Europarl sample shipped inside Pacer (title TAB date TAB body, one document a line). */
    BUNDLED("bundled");

    private final String id;

    SourceFormat(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Formats a user may ask for. */
    public static SourceFormat fromSetting(String key, String value) {
        for (SourceFormat f : values()) {
            if (f != BUNDLED && f.id.equals(value.trim().toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new IllegalArgumentException(key + " = \"" + value + "\": expected one of "
                + Arrays.stream(values())
                        .filter(f -> f != BUNDLED)
                        .map(SourceFormat::id)
                        .collect(Collectors.joining(", ")));
    }

    /** The format of one file found under an input when {@link #AUTO} is asked for. */
    public static SourceFormat byName(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        for (String ext : new String[] {".gz", ".bz2", ".zst", ".deflate", ".lz4", ".snappy"}) {
            if (n.endsWith(ext) && !n.endsWith(".parquet" + ext)) {
                n = n.substring(0, n.length() - ext.length());
            }
        }
        if (n.endsWith(".jsonl") || n.endsWith(".ndjson") || n.endsWith(".json")) {
            return JSONL;
        }
        if (n.endsWith(".parquet")) {
            return PARQUET;
        }
        if (n.endsWith(".arrow")) {
            return HUGGINGFACE;
        }
        return TEXT;
    }
}
