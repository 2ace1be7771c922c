package dev.pacer.data.source;

/**
 * Why a record did not become a document. Every skipped record is counted under one reason in
 * the manifest; the "bad" ones (damaged input, not a property of the text) also count towards
 * {@code pacer.data.max-bad-fraction}.
 */
public enum SkipReason {
    /** Blank line, empty file, or a text field holding only white space. */
    EMPTY("empty", false),
    /** Beyond the first {@code pacer.data.max-documents} documents. */
    OVER_MAX_DOCUMENTS("over_max_documents", false),
    /** The same text as an earlier document ({@code pacer.data.dedup}). */
    DUPLICATE("duplicate", false),
    /** The same text as a document of an earlier version of the dataset ({@code prepare --append}). */
    SEEN_BEFORE("seen_before", false),
    /** A JSON line that does not parse, or is not an object. */
    MALFORMED_JSON("malformed_json", true),
    /** The text field or column is absent or null. */
    MISSING_FIELD("missing_field", true),
    /** The text field holds something other than a string. */
    NOT_TEXT("not_text", true),
    /** Bytes that are not UTF-8, under {@code pacer.data.invalid-utf8 = skip}. */
    INVALID_UTF8("invalid_utf8", true);

    private final String key;
    private final boolean bad;

    SkipReason(String key, boolean bad) {
        this.key = key;
        this.bad = bad;
    }

    /** The name used in the manifest. */
    public String key() {
        return key;
    }

    public boolean bad() {
        return bad;
    }
}
