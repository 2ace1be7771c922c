package dev.pacer.data.shard;

import java.io.Serializable;

/**
 * One token shard as the manifest lists it.
 *
 * @param split "train" or "validation"
 * @param index shard number, 0-based
 * @param path file path relative to the dataset directory
 * @param rows packed sequences (rows) in the file
 * @param documents documents whose tokens went into this shard's stream
 * @param tokens tokens in the rows (rows x row length)
 * @param droppedTailTokens tokens at the end of the shard's stream that filled no whole row
 * @param utf8Bytes UTF-8 bytes of the documents (for bits-per-byte figures)
 * @param bytes file size
 * @param sha256 SHA-256 of the file's bytes
 */
public record ShardInfo(
        String split,
        int index,
        String path,
        long rows,
        long documents,
        long tokens,
        long droppedTailTokens,
        long utf8Bytes,
        long bytes,
        String sha256)
        implements Serializable {

    public static final String TRAIN = "train";
    public static final String VALIDATION = "validation";

    /** This shard with its path under {@code directory} (a later version's shards, seen from the root). */
    public ShardInfo under(String directory) {
        return new ShardInfo(
                split,
                index,
                directory + "/" + path,
                rows,
                documents,
                tokens,
                droppedTailTokens,
                utf8Bytes,
                bytes,
                sha256);
    }

    public static String fileName(String split, int index, int shards) {
        return String.format("%s/shard-%05d-of-%05d.arrow", split, index, shards);
    }
}
