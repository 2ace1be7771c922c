package dev.pacer.data.source;

import java.io.Serializable;

/**
 * How records become documents: what a text document is, which field or column holds the text,
 * what to do with invalid UTF-8, and the share of a file's bytes that may be other than text
 * (invalid UTF-8 or NUL) before the file counts as not text ({@code pacer.data.max-non-text-fraction};
 * 1 = never).
 */
public record ReadOptions(TextUnit textUnit, String textField, Utf8Policy invalidUtf8, double maxNonTextFraction)
        implements Serializable {}
