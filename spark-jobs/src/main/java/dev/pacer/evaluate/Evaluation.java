package dev.pacer.evaluate;

import ai.djl.Device;
import dev.pacer.engine.ModelReplica;
import dev.pacer.model.ParameterLayout;
import java.util.function.IntConsumer;

/**
 * Validation loss of fixed weights on an {@link EvaluationSet}: the mean next-token
 * cross-entropy over every target token, its perplexity {@code exp(loss)}, and bits per byte
 * {@code loss / ln 2 × tokens / bytes} over the bytes the scored tokens stand for (the same
 * definition as training's {@code val_bits_per_byte}).
 *
 * @param lossNatsPerToken mean cross-entropy in nats per target token
 * @param targetTokens tokens scored
 * @param sequences sequences scored
 * @param bytesPerToken bytes per scored token ({@link EvaluationSet#bytesPerToken()})
 */
public record Evaluation(double lossNatsPerToken, long targetTokens, int sequences, double bytesPerToken) {

    /** Sequences per forward pass. */
    private static final int MICRO_BATCH = 8;
    /** Sequences between progress reports (one weight upload each). */
    private static final int CHUNK = 64;

    public double perplexity() {
        return Math.exp(lossNatsPerToken);
    }

    public double bitsPerByte() {
        return lossNatsPerToken / Math.log(2) / bytesPerToken;
    }

    /** Scores {@code set}; {@code progress} receives the sequences done after each chunk. */
    public static Evaluation run(ParameterLayout layout, float[] weights, EvaluationSet set, IntConsumer progress) {
        double loss = 0;
        long tokens = 0;
        try (ModelReplica replica = new ModelReplica(layout, Device.cpu())) {
            for (int start = 0; start < set.sequences().size(); start += CHUNK) {
                int end = Math.min(set.sequences().size(), start + CHUNK);
                ModelReplica.LossSum s = replica.loss(weights, set.sequences().subList(start, end), MICRO_BATCH);
                loss += s.loss();
                tokens += s.tokens();
                progress.accept(end);
            }
        }
        return new Evaluation(loss / tokens, tokens, set.sequences().size(), set.bytesPerToken());
    }
}
