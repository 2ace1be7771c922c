package dev.pacer.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.data.CorpusPartition;
import dev.pacer.data.tokenize.TextTokenizer;
import dev.pacer.data.tokenize.TokenByteCounts;
import dev.pacer.data.tokenize.TokenizerInfo;
import dev.pacer.data.tokenize.TokenizerSpec;
import dev.pacer.run.JsonLinesLog;
import dev.pacer.run.PacerSettings;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;

/**
 * The bytes of text behind the validation set, so that the validation loss (nats per token)
 * converts to bits per byte for any byte-level tokenizer: {@code val_loss × tokens / (bytes × ln 2)}.
 * The validation set is fixed (the first {@code pacer.train.eval-sequences} sequences, shared out
 * over the partitions as {@link GradientWorker#validation} takes them), so its target tokens and
 * the bytes they stand for ({@link TokenByteCounts}) are counted once, in one small Spark job.
 *
 * @param tokens target tokens of the validation set (the tokens its loss averages over); -1 if not counted
 * @param bytes bytes those tokens stand for; -1 when the tokenizer is not byte-level
 * @param sequences sequences of the validation set; -1 if not counted
 * @param tokenizer the tokenizer of the run
 */
public record ValidationBytes(long tokens, long bytes, long sequences, TokenizerInfo tokenizer)
        implements Serializable {

    private static final double LN2 = Math.log(2);

    /**
     * Counts the validation set of {@code data}; nothing when the tokenizer is not byte-level (its
     * tokens have no fixed bytes), and the metrics then give bits per token.
     */
    public static ValidationBytes count(JavaRDD<CorpusPartition> data, TokenizerSpec tokenizer, PacerSettings s) {
        if (!tokenizer.open().byteLevel()) {
            return new ValidationBytes(-1, -1, -1, tokenizer.info());
        }
        int evalSequences = s.train().evalSequences();
        int partitions = s.partitions();
        data.context().setJobDescription("pacer pretrain: bytes of the validation set");
        List<long[]> parts = data.mapPartitionsWithIndex(
                        (p, it) -> {
                            TextTokenizer t = tokenizer.open();
                            List<int[]> seqs =
                                    it.next().validation().head(BatchSeeds.share(evalSequences, partitions, p));
                            long tokens =
                                    seqs.stream().mapToLong(q -> q.length - 1L).sum();
                            long bytes = TokenByteCounts.of(t).targets(seqs);
                            return List.of(new long[] {tokens, bytes, seqs.size()})
                                    .iterator();
                        },
                        true)
                .collect();
        long tokens = 0;
        long bytes = 0;
        long sequences = 0;
        for (long[] v : parts) {
            tokens += v[0];
            bytes += v[1];
            sequences += v[2];
        }
        return new ValidationBytes(tokens, bytes, sequences, tokenizer.info());
    }

    /** Whether the bytes are known, so validation rows give bits per byte. */
    public boolean exact() {
        return bytes >= 0;
    }

    /** Bits per byte of a validation loss in nats per token. */
    public double bitsPerByte(double natsPerToken) {
        // the ratio first: for the byte tokenizer it is exactly 1, so bits per byte stay loss / ln 2
        return natsPerToken / LN2 * ((double) tokens / bytes);
    }

    /** The events.jsonl row that says what the validation rows measure and with which tokenizer. */
    public ObjectNode event() {
        ObjectNode row = JsonLinesLog.row().put("event", "validation_set");
        if (exact()) {
            row.put("sequences", sequences)
                    .put("tokens", tokens)
                    .put("bytes", bytes)
                    .put("bytes_per_token", (double) bytes / tokens);
        }
        tokenizer.writeTo(row.putObject("tokenizer"));
        return row;
    }
}
