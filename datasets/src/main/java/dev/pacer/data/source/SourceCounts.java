package dev.pacer.data.source;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What reading the inputs saw: records, the documents they gave, the records skipped by reason
 * (with the first few examples of each), records kept with invalid UTF-8 replaced, the bytes
 * that are not text (invalid UTF-8 sequences, NUL bytes) and the files that are mostly not text.
 * An add/merge aggregator: each task counts its files, the driver merges in input order.
 */
public final class SourceCounts implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Examples kept per skip reason. */
    public static final int EXAMPLES = 3;

    /** One skipped record, for the manifest: where it was and what was wrong. */
    public record Example(String reason, String where, String detail) implements Serializable {}

    /**
     * The bytes of a file's records (or of all files) and those that are not text.
     *
     * @param invalidUtf8Sequences malformed UTF-8 sequences (each one U+FFFD when replaced)
     * @param invalidUtf8Bytes the bytes those sequences span
     */
    public record ByteCounts(String file, long bytes, long invalidUtf8Sequences, long invalidUtf8Bytes, long nulBytes)
            implements Serializable {

        /** Share of the bytes that are invalid UTF-8 or NUL (0 for no bytes). */
        public double nonTextFraction() {
            return bytes == 0 ? 0 : (double) (invalidUtf8Bytes + nulBytes) / bytes;
        }

        ByteCounts plus(ByteCounts o) {
            return new ByteCounts(
                    file,
                    bytes + o.bytes,
                    invalidUtf8Sequences + o.invalidUtf8Sequences,
                    invalidUtf8Bytes + o.invalidUtf8Bytes,
                    nulBytes + o.nulBytes);
        }

        /** "F: 98,765 of its 200,000 bytes (49.4%) are not text: 97,000 invalid UTF-8 sequences (98,000 bytes), 765 NUL bytes". */
        public String describe() {
            return String.format(
                    java.util.Locale.ROOT,
                    "%s: %,d of its %,d bytes (%.1f%%) are not text: %,d invalid UTF-8 sequences (%,d bytes), %,d NUL"
                            + " bytes",
                    file,
                    invalidUtf8Bytes + nulBytes,
                    bytes,
                    100 * nonTextFraction(),
                    invalidUtf8Sequences,
                    invalidUtf8Bytes,
                    nulBytes);
        }
    }

    private long records;
    private long documents;
    private long utf8Replaced;
    private final long[] skipped = new long[SkipReason.values().length];
    private final List<Example> examples = new ArrayList<>();
    private ByteCounts text = new ByteCounts("", 0, 0, 0, 0);
    private long nonTextFiles;
    private final List<ByteCounts> nonTextExamples = new ArrayList<>();

    public void document() {
        records++;
        documents++;
    }

    public void replacedUtf8() {
        utf8Replaced++;
    }

    /** One file's bytes; {@code notText}: more of them are not text than the limit allows. */
    public void file(ByteCounts file, boolean notText) {
        text = text.plus(file);
        if (notText) {
            nonTextFiles++;
            if (nonTextExamples.size() < EXAMPLES) {
                nonTextExamples.add(file);
            }
        }
    }

    public void skip(SkipReason reason, String where, String detail) {
        records++;
        skipped[reason.ordinal()]++;
        if (reason.bad() && skipped[reason.ordinal()] <= EXAMPLES) {
            examples.add(new Example(reason.key(), where, detail));
        }
    }

    /**
     * Counts documents dropped after reading (duplicates, beyond max-documents). They stay in
     * {@link #documents()}, which counts documents read, not documents packed.
     */
    public void dropped(SkipReason reason, long n) {
        skipped[reason.ordinal()] += n;
    }

    public SourceCounts merge(SourceCounts o) {
        records += o.records;
        documents += o.documents;
        utf8Replaced += o.utf8Replaced;
        for (int i = 0; i < skipped.length; i++) {
            skipped[i] += o.skipped[i];
        }
        for (Example e : o.examples) {
            if (examples.stream().filter(x -> x.reason().equals(e.reason())).count() < EXAMPLES) {
                examples.add(e);
            }
        }
        text = text.plus(o.text);
        nonTextFiles += o.nonTextFiles;
        for (ByteCounts f : o.nonTextExamples) {
            if (nonTextExamples.size() < EXAMPLES) {
                nonTextExamples.add(f);
            }
        }
        return this;
    }

    public long records() {
        return records;
    }

    /** Usable documents read (before deduplication and the max-documents cap). */
    public long documents() {
        return documents;
    }

    public long utf8Replaced() {
        return utf8Replaced;
    }

    /** The bytes of all records read and those that are not text (file name empty). */
    public ByteCounts text() {
        return text;
    }

    /** Files over {@code pacer.data.max-non-text-fraction}. */
    public long nonTextFiles() {
        return nonTextFiles;
    }

    /** The first few of them, in input order. */
    public List<ByteCounts> nonTextExamples() {
        return Collections.unmodifiableList(nonTextExamples);
    }

    /** Records holding invalid UTF-8: replaced or skipped by policy. */
    public long invalidUtf8Records() {
        return utf8Replaced + skipped[SkipReason.INVALID_UTF8.ordinal()];
    }

    public long skipped(SkipReason reason) {
        return skipped[reason.ordinal()];
    }

    /** Records skipped because the input was damaged. */
    public long bad() {
        long n = 0;
        for (SkipReason r : SkipReason.values()) {
            n += r.bad() ? skipped[r.ordinal()] : 0;
        }
        return n;
    }

    public double badFraction() {
        return records == 0 ? 0 : (double) bad() / records;
    }

    public List<Example> examples() {
        return Collections.unmodifiableList(examples);
    }

    /** "malformed_json 3, empty 2" for the non-zero reasons, or "none". */
    public String describeSkipped(boolean badOnly) {
        String s = java.util.Arrays.stream(SkipReason.values())
                .filter(r -> skipped[r.ordinal()] > 0 && (!badOnly || r.bad()))
                .map(r -> r.key() + " " + skipped[r.ordinal()])
                .collect(Collectors.joining(", "));
        return s.isEmpty() ? "none" : s;
    }

    /** Restores counts read back from a manifest. */
    public static SourceCounts of(
            long records,
            long documents,
            long utf8Replaced,
            long[] skippedByReason,
            List<Example> examples,
            ByteCounts text) {
        SourceCounts c = new SourceCounts();
        c.records = records;
        c.documents = documents;
        c.utf8Replaced = utf8Replaced;
        c.text = text;
        System.arraycopy(skippedByReason, 0, c.skipped, 0, c.skipped.length);
        c.examples.addAll(examples);
        return c;
    }

    /** Documents dropped after reading: duplicates, those seen in earlier versions and those beyond max-documents. */
    public long droppedAfterReading() {
        return skipped[SkipReason.DUPLICATE.ordinal()]
                + skipped[SkipReason.SEEN_BEFORE.ordinal()]
                + skipped[SkipReason.OVER_MAX_DOCUMENTS.ordinal()];
    }
}
