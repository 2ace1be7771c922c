package dev.pacer.data.source;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Where source readers hand their records: it applies the invalid-UTF-8 policy, drops empty
 * text, counts everything in a {@link SourceCounts} and passes each document on.
 */
public final class RecordCollector {

    private static final int DETAIL_CHARS = 200;

    private final Utf8Policy policy;
    private final SourceCounts counts;
    private final Consumer<String> documents;
    private String file = "";
    private String recordWord = "line";

    public RecordCollector(Utf8Policy policy, SourceCounts counts, Consumer<String> documents) {
        this.policy = policy;
        this.counts = counts;
        this.documents = documents;
    }

    /** Names the file being read and what its records are called ("line", "row", "file"). */
    public void startFile(String file, String recordWord) {
        this.file = file;
        this.recordWord = recordWord;
    }

    public SourceCounts counts() {
        return counts;
    }

    /**
     * Text of {@code len} bytes at {@code off}, or null when the bytes are not UTF-8 and the
     * policy drops such records (the record is then counted as skipped).
     */
    public String decode(byte[] bytes, int off, int len, long record) {
        // the JDK's decoder is fast and replaces silently; only text holding U+FFFD afterwards
        // needs the strict (slow) check, since valid text may contain U+FFFD itself
        String s = new String(bytes, off, len, StandardCharsets.UTF_8);
        if (s.indexOf('\uFFFD') < 0 || isValidUtf8(bytes, off, len)) {
            return s;
        }
        if (policy == Utf8Policy.SKIP) {
            skip(SkipReason.INVALID_UTF8, record, "bytes are not valid UTF-8");
            return null;
        }
        counts.replacedUtf8();
        return s;
    }

    /** A record's text: blank text is skipped as empty, anything else becomes a document. */
    public void text(String text, long record) {
        if (text.isBlank()) {
            skip(SkipReason.EMPTY, record, "");
            return;
        }
        counts.document();
        documents.accept(text);
    }

    /** A document that needs no emptiness check (its reader has done it). */
    public void document(String text) {
        counts.document();
        documents.accept(text);
    }

    public void skip(SkipReason reason, long record, String detail) {
        String d = detail.length() > DETAIL_CHARS ? detail.substring(0, DETAIL_CHARS) + "..." : detail;
        counts.skip(reason, file + (record > 0 ? " " + recordWord + " " + record : ""), d);
    }

    static boolean isValidUtf8(byte[] bytes, int off, int len) {
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, off, len));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
