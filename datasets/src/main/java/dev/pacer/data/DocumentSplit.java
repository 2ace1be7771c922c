package dev.pacer.data;

import java.nio.charset.StandardCharsets;

/**
 * Deterministic train/validation split by document: a document is held out when a 64-bit hash of
 * its text falls in the first {@code fraction} of the hash range. The same document lands in the
 * same split on every machine, run and partitioning, and duplicates never straddle the split.
 */
public final class DocumentSplit {

    private final double validationFraction;

    public DocumentSplit(double validationFraction) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in (0, 1), got " + validationFraction);
        }
        this.validationFraction = validationFraction;
    }

    public boolean isValidation(String document) {
        // unsigned hash mapped to [0, 1)
        double u = (hash(document) >>> 11) * 0x1.0p-53;
        return u < validationFraction;
    }

    /** FNV-1a over UTF-8 bytes with a final avalanche (SplitMix64's finaliser). */
    static long hash(String document) {
        long h = 0xcbf29ce484222325L;
        for (byte b : document.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }
}
