package dev.pacer.data;

import com.typesafe.config.Config;

/**
 * Settings under {@code pacer.data} (documented in this module's reference.conf).
 *
 * @param path corpus location (any Hadoop file system URI or local path); empty for the bundled corpus
 * @param tokenizer tokenizer name; "byte" is the only one so far
 * @param validationFraction share of documents held out for validation
 * @param maxDocuments read at most this many documents (0 = all)
 */
public record DataSettings(String path, String tokenizer, double validationFraction, long maxDocuments)
        implements java.io.Serializable {

    public DataSettings {
        if (!"byte".equals(tokenizer)) {
            throw new IllegalArgumentException("pacer.data.tokenizer: unknown tokenizer '" + tokenizer
                    + "'; expected \"byte\"");
        }
        if (!(validationFraction > 0 && validationFraction < 0.5)) {
            throw new IllegalArgumentException("pacer.data.validation-fraction: expected a value in (0, 0.5), got "
                    + validationFraction);
        }
        if (maxDocuments < 0) {
            throw new IllegalArgumentException("pacer.data.max-documents: expected >= 0 (0 means all), got "
                    + maxDocuments);
        }
    }

    public static DataSettings from(Config c) {
        return new DataSettings(c.getString("path").trim(), c.getString("tokenizer"),
                c.getDouble("validation-fraction"), c.getLong("max-documents"));
    }

    public boolean bundled() {
        return path.isEmpty();
    }
}
