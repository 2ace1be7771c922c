package dev.pacer.data.source;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Where source readers hand their records: it applies the invalid-UTF-8 policy, drops empty
 * text, counts everything in a {@link SourceCounts} and passes each document on. Per file it
 * also counts the bytes that are not text (invalid UTF-8, NUL); a file where their share is over
 * the limit is recorded as not text when it ends ({@link #endFile}), for the caller to refuse.
 */
public final class RecordCollector {

    private static final int DETAIL_CHARS = 200;
    private static final long[] NONE = {0, 0};

    private final Utf8Policy policy;
    private final double maxNonTextFraction;
    private final SourceCounts counts;
    private final Consumer<String> documents;
    private String file = "";
    private String recordWord = "line";
    private boolean fileOpen;
    // the open file's bytes, malformed UTF-8 sequences and the bytes they span, NUL bytes
    private long fileBytes;
    private long fileSequences;
    private long fileInvalidBytes;
    private long fileNulBytes;

    /** As {@link #RecordCollector(ReadOptions, SourceCounts, Consumer)}, with no file ever counted as not text. */
    public RecordCollector(Utf8Policy policy, SourceCounts counts, Consumer<String> documents) {
        this(new ReadOptions(TextUnit.LINE, "text", policy, 1), counts, documents);
    }

    public RecordCollector(ReadOptions options, SourceCounts counts, Consumer<String> documents) {
        this.policy = options.invalidUtf8();
        this.maxNonTextFraction = options.maxNonTextFraction();
        this.counts = counts;
        this.documents = documents;
    }

    /**
     * Names the file being read and what its records are called ("line", "row", "file"); ends
     * the previous file, if one is open.
     */
    public void startFile(String file, String recordWord) {
        endFile();
        this.file = file;
        this.recordWord = recordWord;
        this.fileOpen = true;
        fileBytes = fileSequences = fileInvalidBytes = fileNulBytes = 0;
    }

    /** Adds the open file's byte counts to the totals, as not text if over the limit; idempotent. */
    public void endFile() {
        if (fileOpen) {
            SourceCounts.ByteCounts c =
                    new SourceCounts.ByteCounts(file, fileBytes, fileSequences, fileInvalidBytes, fileNulBytes);
            counts.file(c, c.nonTextFraction() > maxNonTextFraction);
            fileOpen = false;
        }
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
        // needs the strict (slow) scan, since valid text may contain U+FFFD itself
        String s = new String(bytes, off, len, StandardCharsets.UTF_8);
        long[] malformed = s.indexOf('\uFFFD') < 0 ? NONE : Utf8Scan.malformed(bytes, off, len);
        fileBytes += len;
        fileSequences += malformed[0];
        fileInvalidBytes += malformed[1];
        fileNulBytes += Utf8Scan.nulCharacters(s);
        if (malformed[0] == 0) {
            return s;
        }
        if (policy == Utf8Policy.SKIP) {
            skip(SkipReason.INVALID_UTF8, record, malformed[0] + " invalid UTF-8 sequences");
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
}
