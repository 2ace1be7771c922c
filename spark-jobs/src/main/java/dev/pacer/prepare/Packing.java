package dev.pacer.prepare;

import com.typesafe.config.Config;
import dev.pacer.config.ConfigError;
import dev.pacer.data.CorpusException;
import dev.pacer.data.DataSettings;
import dev.pacer.data.shard.DatasetManifest;
import dev.pacer.data.shard.PreparedDataset;
import dev.pacer.data.tokenize.TokenizerInfo;
import dev.pacer.data.tokenize.TokenizerSpec;
import dev.pacer.run.PacerSettings;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;

/**
 * How documents become rows: tokenizer, sequence length, shards per split (0 = decided from the
 * input's size) and validation share. A new dataset takes them from the settings; a new version
 * takes them from the dataset it grows, so that every version is packed alike. A packing setting
 * the user gave that contradicts the dataset's is refused rather than ignored.
 */
record Packing(TokenizerSpec tokenizer, int seqLen, int shards, double validationFraction) {

    static Packing forNew(PacerSettings settings, Configuration conf) {
        DataSettings d = settings.data();
        try {
            return new Packing(
                    TokenizerSpec.resolve(d.tokenizer(), d.endOfDocument(), conf),
                    d.seqLen() > 0 ? d.seqLen() : settings.train().seqLen(),
                    d.shards(),
                    d.validationFraction());
        } catch (CorpusException e) {
            throw new ConfigError(e.getMessage());
        }
    }

    static Packing forAppend(PacerSettings settings, PreparedDataset dataset, Configuration conf) throws IOException {
        DatasetManifest m = dataset.manifest();
        DataSettings d = settings.data();
        Config user = settings.resolved();
        TokenizerSpec own = ownTokenizer(dataset, conf);
        if (setByUser(user, "pacer.data.tokenizer") || setByUser(user, "pacer.data.end-of-document")) {
            TokenizerSpec wanted;
            try {
                wanted = TokenizerSpec.resolve(d.tokenizer(), d.endOfDocument(), conf);
            } catch (CorpusException e) {
                throw new ConfigError(e.getMessage());
            }
            TokenizerInfo a = wanted.info();
            TokenizerInfo b = own.info();
            if (!a.sha256().equals(b.sha256()) || a.endOfDocument() != b.endOfDocument()) {
                throw conflict(dataset, "pacer.data.tokenizer", d.tokenizer(), b.source());
            }
        }
        if (d.seqLen() != 0 && d.seqLen() != m.seqLen()) {
            throw conflict(dataset, "pacer.data.seq-len", d.seqLen(), m.seqLen());
        }
        if (d.shards() != 0 && d.shards() != m.shardCount()) {
            throw conflict(dataset, "pacer.data.shards", d.shards(), m.shardCount());
        }
        double fraction = m.settings().validationFraction();
        if (setByUser(user, "pacer.data.validation-fraction") && d.validationFraction() != fraction) {
            throw conflict(dataset, "pacer.data.validation-fraction", d.validationFraction(), fraction);
        }
        return new Packing(own, m.seqLen(), m.shardCount(), fraction);
    }

    /** The dataset's tokenizer: byte, or its own copy of the tokenizer.json, checked against the manifest. */
    private static TokenizerSpec ownTokenizer(PreparedDataset dataset, Configuration conf) {
        try {
            return dataset.tokenizer(conf);
        } catch (CorpusException e) {
            throw new ConfigError("--append: " + e.getMessage() + " (or prepare the dataset again with --overwrite)");
        }
    }

    private static ConfigError conflict(PreparedDataset dataset, String key, Object given, Object dataset_) {
        return new ConfigError("--append: " + key + " = " + given + ", but " + dataset.root() + " was prepared with "
                + dataset_ + " and every version is packed alike; drop the setting or set it to " + dataset_);
    }

    /** Whether {@code path} comes from the user (a profile, --conf or --set) rather than a reference.conf. */
    static boolean setByUser(Config resolved, String path) {
        return resolved.hasPath(path)
                && !"reference.conf".equals(resolved.getValue(path).origin().resource());
    }
}
