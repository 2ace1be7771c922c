package dev.pacer.data.shard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.data.CorpusException;
import dev.pacer.data.source.SkipReason;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One version of a dataset that grows ({@code prepare --append}), as the top-level manifest lists
 * it. Version 1 is the dataset's root directory; version {@code n > 1} lives in the directory
 * {@link #directoryName(int)} with a manifest of its own, whose SHA-256 is recorded here so that a
 * replaced version is noticed. Each version holds only documents that no earlier version holds.
 *
 * @param number 1, 2, ...
 * @param directory the version's directory relative to the dataset root; empty for version 1
 * @param created when the version was written (ISO-8601)
 * @param inputs what the version was prepared from (paths, a SQL query, a table)
 * @param documentsRead usable documents read for this version (before dropping any)
 * @param seenBefore documents dropped because an earlier version holds the same text
 * @param duplicates documents dropped as copies of an earlier document of the same input
 * @param documents documents the version packed
 * @param tokens tokens the version packed (end-of-document tokens included)
 * @param trainSequences training rows of the version
 * @param validationSequences validation rows of the version
 * @param manifestSha256 SHA-256 of the version's own manifest.json; empty for version 1
 */
public record DatasetVersion(
        int number,
        String directory,
        String created,
        List<String> inputs,
        long documentsRead,
        long seenBefore,
        long duplicates,
        long documents,
        long tokens,
        long trainSequences,
        long validationSequences,
        String manifestSha256)
        implements Serializable {

    /** The directory of version {@code number} ({@code v00002}, ...); "" for version 1. */
    public static String directoryName(int number) {
        return number == 1 ? "" : String.format("v%05d", number);
    }

    /** The entry describing {@code m}, written as version {@code number}. */
    public static DatasetVersion of(int number, DatasetManifest m, String manifestSha256) {
        long[] t = m.totals(ShardInfo.TRAIN);
        long[] v = m.totals(ShardInfo.VALIDATION);
        return new DatasetVersion(
                number,
                directoryName(number),
                m.created(),
                m.inputs(),
                m.counts().documents(),
                m.counts().skipped(SkipReason.SEEN_BEFORE),
                m.counts().skipped(SkipReason.DUPLICATE),
                t[0] + v[0],
                t[1] + t[3] + v[1] + v[3],
                t[2],
                v[2],
                manifestSha256);
    }

    void write(ObjectNode o) {
        o.put("version", number)
                .put("directory", directory)
                .put("created", created)
                .put("documents_read", documentsRead)
                .put("seen_before", seenBefore)
                .put("duplicates", duplicates)
                .put("documents", documents)
                .put("tokens", tokens)
                .put("train_sequences", trainSequences)
                .put("validation_sequences", validationSequences)
                .put("manifest_sha256", manifestSha256);
        inputs.forEach(o.putArray("inputs")::add);
    }

    /** The {@code versions} array of a manifest, checked: numbered 1, 2, ... in their own directories. */
    static List<DatasetVersion> parseAll(JsonNode array, String where) {
        List<DatasetVersion> out = new ArrayList<>();
        if (array == null || array.isNull() || array.isMissingNode()) {
            return out;
        }
        for (JsonNode n : array) {
            List<String> inputs = new ArrayList<>();
            n.path("inputs").forEach(i -> inputs.add(i.asText()));
            DatasetVersion v = new DatasetVersion(
                    n.path("version").asInt(-1),
                    n.path("directory").asText(),
                    n.path("created").asText(),
                    inputs,
                    n.path("documents_read").asLong(),
                    n.path("seen_before").asLong(),
                    n.path("duplicates").asLong(),
                    n.path("documents").asLong(),
                    n.path("tokens").asLong(),
                    n.path("train_sequences").asLong(),
                    n.path("validation_sequences").asLong(),
                    n.path("manifest_sha256").asText());
            int expected = out.size() + 1;
            if (v.number() != expected
                    || !v.directory().equals(directoryName(expected))
                    || (expected > 1 && v.manifestSha256().length() != 64)) {
                throw new CorpusException(where + ": versions entry " + expected
                        + " is inconsistent (numbers must run 1, 2, ... in directories v00002, ...,"
                        + " each with its manifest's SHA-256)");
            }
            out.add(v);
        }
        return out;
    }
}
