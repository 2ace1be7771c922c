package dev.pacer.prepare;

import dev.pacer.data.CorpusException;
import dev.pacer.data.DocumentSplit;
import dev.pacer.data.HadoopConf;
import dev.pacer.data.shard.ShardBuilder;
import dev.pacer.data.shard.ShardInfo;
import dev.pacer.data.source.SkipReason;
import dev.pacer.data.tokenize.TokenizerSpec;
import java.io.IOException;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

/**
 * The executor side of the shard stage: one task per shard receives that shard's documents
 * sorted by global index and the sorted indices of those to drop (duplicates, and documents an
 * earlier version holds), tokenizes, splits, packs and writes the rest.
 */
final class ShardTask implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String output;
    private final int shards;
    private final Broadcast<TokenizerSpec> tokenizer;
    private final double validationFraction;
    private final int rowLength;
    private final HadoopConf hadoop;

    ShardTask(
            String output,
            int shards,
            Broadcast<TokenizerSpec> tokenizer,
            double validationFraction,
            int rowLength,
            HadoopConf hadoop) {
        this.output = output;
        this.shards = shards;
        this.tokenizer = tokenizer;
        this.validationFraction = validationFraction;
        this.rowLength = rowLength;
        this.hadoop = hadoop;
    }

    Iterator<ShardResult> write(Iterator<Tuple2<Long, SourceItem>> docs, Iterator<Tuple2<Long, SkipReason>> drops) {
        TaskContext ctx = TaskContext.get();
        int shard = ctx.partitionId();
        String attempt = ctx.stageId() + "-" + ctx.taskAttemptId();
        try (ShardBuilder b = new ShardBuilder(
                output,
                shard,
                shards,
                tokenizer.value(),
                new DocumentSplit(validationFraction),
                rowLength,
                hadoop.get(),
                attempt)) {
            KeptDocuments kept = new KeptDocuments(docs, drops);
            while (kept.hasNext()) {
                b.add(kept.next()._2().text());
            }
            ShardInfo[] files = b.finish();
            return List.of(new ShardResult(
                            shard,
                            files[0],
                            files[1],
                            kept.dropped(SkipReason.DUPLICATE),
                            kept.dropped(SkipReason.SEEN_BEFORE)))
                    .iterator();
        } catch (IOException e) {
            throw new CorpusException(
                    "shard " + shard + " of " + output + ": write failed (" + CorpusException.firstLine(e) + ")", e);
        }
    }
}
