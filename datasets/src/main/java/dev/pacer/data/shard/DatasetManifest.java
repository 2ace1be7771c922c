package dev.pacer.data.shard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pacer.data.source.InputUnit;
import dev.pacer.data.source.SourceCounts;
import dev.pacer.data.tokenize.TokenizerInfo;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code manifest.json} of a prepared dataset, written last: its presence is what makes a dataset
 * complete. It records where the text came from, how it was read and tokenized, every count
 * (documents, tokens, sequences per split; records skipped by reason, with examples), the
 * config digest and every shard with its row count and SHA-256.
 *
 * @param created ISO-8601 creation time
 * @param inputs the inputs as given (paths, directories, globs), or the bundled corpus's name
 * @param files the files read, in order
 * @param settings how records were read, split and packed (the keys of pacer.data that apply)
 * @param seqLen tokens per training sequence; rows hold {@code seqLen + 1}
 * @param versions the dataset's versions ({@code prepare --append}), version 1 (this manifest's own
 *     shards) first; empty in a later version's own manifest and in manifests written before
 *     versions existed. The other fields describe version 1; later versions have manifests of their
 *     own ({@link DatasetVersion}).
 */
public record DatasetManifest(
        String created,
        List<String> inputs,
        List<InputUnit> files,
        Settings settings,
        TokenizerInfo tokenizer,
        int seqLen,
        SourceCounts counts,
        List<ShardInfo> shards,
        String configDigest,
        List<DatasetVersion> versions)
        implements Serializable {

    public static final String FILE = "manifest.json";
    public static final String FORMAT = "pacer-token-dataset";
    /** The format of a dataset of one version (and the one the config digest covers). */
    public static final int VERSION = 1;
    /**
     * The format of a dataset with more than one version: readers that know only {@link #VERSION}
     * refuse it instead of training on its first version alone.
     */
    public static final int VERSIONED = 2;

    public DatasetManifest {
        inputs = List.copyOf(inputs);
        files = List.copyOf(files);
        shards = List.copyOf(shards);
        versions = List.copyOf(versions);
    }

    /** This manifest listing {@code all} as the dataset's versions (version 1 first). */
    public DatasetManifest withVersions(List<DatasetVersion> all) {
        return new DatasetManifest(
                created, inputs, files, settings, tokenizer, seqLen, counts, shards, configDigest, all);
    }

    /** The dataset's versions: the listed ones, or version 1 alone (this manifest) when none are listed. */
    public List<DatasetVersion> versionList() {
        return versions.isEmpty() ? List.of(DatasetVersion.of(1, this, "")) : versions;
    }

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The preparation settings that shape the data (all but where it is written). */
    public record Settings(
            String format,
            String textUnit,
            String textField,
            String invalidUtf8,
            double validationFraction,
            boolean dedup,
            long maxDocuments,
            double maxBadFraction,
            int shards)
            implements Serializable {}

    public int rowLength() {
        return seqLen + 1;
    }

    public int shardCount() {
        return settings.shards();
    }

    public List<ShardInfo> shards(String split) {
        return shards.stream().filter(s -> s.split().equals(split)).toList();
    }

    /** Sums over one split's shards: documents, tokens in rows, rows, dropped tail tokens, UTF-8 bytes. */
    public long[] totals(String split) {
        long[] t = new long[5];
        for (ShardInfo s : shards(split)) {
            t[0] += s.documents();
            t[1] += s.tokens();
            t[2] += s.rows();
            t[3] += s.droppedTailTokens();
            t[4] += s.utf8Bytes();
        }
        return t;
    }

    /** SHA-256 over the settings, inputs and tokenizer: equal digests mean equal preparations. */
    public static String configDigest(List<String> inputs, Settings s, TokenizerInfo t, int seqLen) {
        String canonical = String.join(
                "\n",
                "inputs=" + inputs,
                "settings=" + s,
                "tokenizer=" + t.type() + ":" + t.sha256() + ":" + t.endOfDocument(),
                "seq_len=" + seqLen,
                "format_version=" + VERSION);
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The manifest as written to {@link #FILE} (see {@link ManifestWriter}). */
    public byte[] toJson() {
        return ManifestWriter.toJson(this);
    }

    /** Parses and checks a manifest; {@code where} names it in errors. */
    public static DatasetManifest parse(byte[] bytes, String where) {
        return ManifestParser.parse(bytes, where);
    }
}
