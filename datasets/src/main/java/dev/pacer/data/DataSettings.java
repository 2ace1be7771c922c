package dev.pacer.data;

import com.typesafe.config.Config;
import dev.pacer.data.source.ReadOptions;
import dev.pacer.data.source.SourceFormat;
import dev.pacer.data.source.TextUnit;
import dev.pacer.data.source.Utf8Policy;

/**
 * Settings under {@code pacer.data} (documented in this module's reference.conf). The module
 * knows nothing of Pacer's config errors: a bad value throws IllegalArgumentException whose
 * one-line message starts with the key; the caller turns it into its own error.
 *
 * @param path prepared dataset to train on (any Hadoop file system URI or local path); empty for
 *     the bundled corpus, prepared on the fly
 * @param tokenizer "byte", or the location of a Hugging Face tokenizer.json
 * @param endOfDocument the tokenizer.json token appended after each document; empty = look it up
 * @param validationFraction share of documents held out for validation
 * @param maxDocuments read at most this many documents (0 = all)
 * @param format how input files hold documents
 * @param textUnit plain text: one document a line or a file
 * @param textField JSON field / Parquet or Arrow column with the text
 * @param invalidUtf8 replace or skip records with invalid UTF-8
 * @param maxBadFraction fail when more than this share of records is damaged
 * @param maxNonTextFraction refuse a file when more than this share of its bytes is not text
 *     (invalid UTF-8 or NUL); 1 = never
 * @param dedup drop documents whose text equals an earlier document's
 * @param seqLen tokens per sequence of a prepared dataset (0 = pacer.train.seq-len)
 * @param shards shards per split of a prepared dataset (0 = automatic)
 * @param version train on versions 1..version of a prepared dataset that grew (0 = its newest)
 */
public record DataSettings(
        String path,
        String tokenizer,
        String endOfDocument,
        double validationFraction,
        long maxDocuments,
        SourceFormat format,
        TextUnit textUnit,
        String textField,
        Utf8Policy invalidUtf8,
        double maxBadFraction,
        double maxNonTextFraction,
        boolean dedup,
        int seqLen,
        int shards,
        int version)
        implements java.io.Serializable {

    public DataSettings {
        if (tokenizer.isBlank()) {
            throw new IllegalArgumentException("pacer.data.tokenizer is empty: give \"byte\" or the location of a"
                    + " Hugging Face tokenizer.json");
        }
        if (!(validationFraction > 0 && validationFraction < 0.5)) {
            throw new IllegalArgumentException(
                    "pacer.data.validation-fraction = " + validationFraction + ": expected a value in (0, 0.5)");
        }
        if (maxDocuments < 0) {
            throw new IllegalArgumentException(
                    "pacer.data.max-documents = " + maxDocuments + ": expected >= 0 (0 means all)");
        }
        if (textField.isBlank()) {
            throw new IllegalArgumentException("pacer.data.text-field is empty: name the JSON field or column"
                    + " that holds the text, e.g. \"text\"");
        }
        if (!(maxBadFraction >= 0 && maxBadFraction <= 1)) {
            throw new IllegalArgumentException(
                    "pacer.data.max-bad-fraction = " + maxBadFraction + ": expected a value in [0, 1]");
        }
        if (!(maxNonTextFraction >= 0 && maxNonTextFraction <= 1)) {
            throw new IllegalArgumentException("pacer.data.max-non-text-fraction = " + maxNonTextFraction
                    + ": expected a value in [0, 1] (1 turns the check off)");
        }
        if (seqLen < 0 || seqLen > 1 << 20) {
            throw new IllegalArgumentException("pacer.data.seq-len = " + seqLen
                    + ": expected an integer in [0, 1048576] (0 means pacer.train.seq-len)");
        }
        if (shards < 0 || shards > 100_000) {
            throw new IllegalArgumentException(
                    "pacer.data.shards = " + shards + ": expected an integer in [0, 100000] (0 means automatic)");
        }
        if (version < 0) {
            throw new IllegalArgumentException("pacer.data.version = " + version
                    + ": expected 0 (the dataset's newest version) or a version number >= 1");
        }
    }

    /** The first settings of this module: path, tokenizer, split and cap, all else default. */
    public DataSettings(String path, String tokenizer, double validationFraction, long maxDocuments) {
        this(
                path,
                tokenizer,
                "",
                validationFraction,
                maxDocuments,
                SourceFormat.AUTO,
                TextUnit.LINE,
                "text",
                Utf8Policy.REPLACE,
                0.01,
                0.05,
                false,
                0,
                0,
                0);
    }

    public static DataSettings from(Config c) {
        return new DataSettings(
                c.getString("path").trim(),
                c.getString("tokenizer").trim(),
                c.getString("end-of-document"),
                c.getDouble("validation-fraction"),
                c.getLong("max-documents"),
                SourceFormat.fromSetting("pacer.data.format", c.getString("format")),
                TextUnit.fromSetting("pacer.data.text-unit", c.getString("text-unit")),
                c.getString("text-field"),
                Utf8Policy.fromSetting("pacer.data.invalid-utf8", c.getString("invalid-utf8")),
                c.getDouble("max-bad-fraction"),
                c.getDouble("max-non-text-fraction"),
                c.getBoolean("dedup"),
                c.getInt("seq-len"),
                c.getInt("shards"),
                c.getInt("version"));
    }

    public boolean bundled() {
        return path.isEmpty();
    }

    public ReadOptions readOptions() {
        return new ReadOptions(textUnit, textField, invalidUtf8, maxNonTextFraction);
    }
}
