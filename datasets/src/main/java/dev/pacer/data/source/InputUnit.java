package dev.pacer.data.source;

import java.io.Serializable;

/**
 * One file to read, in input order: its URI, its format and its size (-1 if unknown).
 *
 * @param origin the input (path, glob or directory) it was found under, for messages
 */
public record InputUnit(String path, SourceFormat format, long length, String origin) implements Serializable {

    public static InputUnit bundled() {
        return new InputUnit(
                dev.pacer.data.BundledCorpus.NAME, SourceFormat.BUNDLED, -1, dev.pacer.data.BundledCorpus.NAME);
    }
}
