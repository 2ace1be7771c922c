package dev.pacer.data.source;

import java.io.Serializable;

/**
 * How records become documents: what a text document is, which field or column holds the text,
 * and what to do with invalid UTF-8.
 */
public record ReadOptions(TextUnit textUnit, String textField, Utf8Policy invalidUtf8) implements Serializable {}
