package dev.pacer.data.shard;

import dev.pacer.data.CorpusException;
import dev.pacer.data.TokenBlock;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * One partition's token stream of a split, on an executor: its shards' rows concatenated in
 * version and shard order, cut into sequences of the length training asks for, so a dataset
 * prepared for one sequence length trains any other. The tail that fills no whole sequence is
 * counted as dropped, never silently lost.
 */
final class PartitionStream {

    private PartitionStream() {}

    static TokenBlock block(
            PreparedDataset dataset,
            String split,
            int partition,
            int partitions,
            int packedLength,
            Configuration conf) {
        List<ShardInfo> mine = dataset.shardsFor(split, partition, partitions);
        long total = 0;
        long documents = 0;
        long dropped = 0;
        for (ShardInfo s : mine) {
            total += s.tokens();
            documents += s.documents();
            dropped += s.droppedTailTokens();
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new CorpusException(dataset.root() + ": partition " + partition + " would hold " + total + " " + split
                    + " tokens, more than one array holds; train with more partitions");
        }
        char[] stream = new char[(int) total];
        int at = 0;
        for (ShardInfo s : mine) {
            char[] rows = dataset.readShard(s, conf);
            System.arraycopy(rows, 0, stream, at, rows.length);
            at += rows.length;
        }
        int whole = (stream.length / packedLength) * packedLength;
        char[] tokens = whole == stream.length ? stream : Arrays.copyOf(stream, whole);
        return new TokenBlock(tokens, packedLength, documents, dropped + stream.length - whole);
    }
}
