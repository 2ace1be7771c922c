package dev.pacer.generate;

/**
 * How the next token is chosen from the model's logits.
 *
 * @param temperature divides the logits before the softmax; 0 means greedy (always the most
 *     likely token, ties to the lowest id), larger values flatten the distribution
 * @param topK draw only among the {@code topK} most likely tokens; 0 means the whole vocabulary
 * @param seed seeds the draws, so the same settings, prompt and weights give the same text
 */
public record SamplingSettings(double temperature, int topK, long seed) {

    public SamplingSettings {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException(
                    "temperature must be a finite number >= 0 (0 = greedy), got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be >= 0 (0 = the whole vocabulary), got " + topK);
        }
    }

    /** Always the most likely token. */
    public static SamplingSettings greedy() {
        return new SamplingSettings(0, 0, 0);
    }

    /** True when no random draw is involved: temperature 0, or only one candidate. */
    public boolean isGreedy() {
        return temperature == 0 || topK == 1;
    }
}
