package dev.pacer.prepare;

import dev.pacer.data.source.SourceCounts;
import java.io.Serializable;

/**
 * An element of the read stage's RDD: a document's text (with its id, when the source has an id
 * column), or (last in each partition) the counts of what that partition's reading saw. Keeping
 * both in one RDD lets one cached pass serve the scan (counts, bad-fraction check) and the shard
 * stage.
 */
record SourceItem(String text, String id, SourceCounts counts) implements Serializable {

    static SourceItem document(String text) {
        return new SourceItem(text, null, null);
    }

    static SourceItem document(String text, String id) {
        return new SourceItem(text, id, null);
    }

    static SourceItem summary(SourceCounts counts) {
        return new SourceItem(null, null, counts);
    }

    boolean isDocument() {
        return text != null;
    }
}
