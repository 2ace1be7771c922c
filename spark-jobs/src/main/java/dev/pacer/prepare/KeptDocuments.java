package dev.pacer.prepare;

import dev.pacer.data.source.SkipReason;
import java.util.Iterator;
import java.util.NoSuchElementException;
import scala.Tuple2;

/**
 * One shard's documents without the dropped ones: both streams come sorted by global index (the
 * shard stage's partitioner sorts them), so one merge pass drops every index listed in
 * {@code drops} and counts the drops by reason.
 */
final class KeptDocuments implements Iterator<Tuple2<Long, SourceItem>> {

    private final Iterator<Tuple2<Long, SourceItem>> docs;
    private final Iterator<Tuple2<Long, SkipReason>> drops;
    private final long[] dropped = new long[SkipReason.values().length];
    private Tuple2<Long, SkipReason> nextDrop;
    private Tuple2<Long, SourceItem> next;

    KeptDocuments(Iterator<Tuple2<Long, SourceItem>> docs, Iterator<Tuple2<Long, SkipReason>> drops) {
        this.docs = docs;
        this.drops = drops;
        this.nextDrop = drops.hasNext() ? drops.next() : null;
        advance();
    }

    private void advance() {
        next = null;
        while (docs.hasNext()) {
            Tuple2<Long, SourceItem> d = docs.next();
            while (nextDrop != null && nextDrop._1() < d._1()) {
                nextDrop = drops.hasNext() ? drops.next() : null;
            }
            if (nextDrop != null && nextDrop._1().equals(d._1())) {
                dropped[nextDrop._2().ordinal()]++;
                continue;
            }
            next = d;
            return;
        }
    }

    @Override
    public boolean hasNext() {
        return next != null;
    }

    @Override
    public Tuple2<Long, SourceItem> next() {
        if (next == null) {
            throw new NoSuchElementException();
        }
        Tuple2<Long, SourceItem> d = next;
        advance();
        return d;
    }

    /** Documents dropped so far for {@code reason}. */
    long dropped(SkipReason reason) {
        return dropped[reason.ordinal()];
    }
}
