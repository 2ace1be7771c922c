package dev.pacer.api;

/**
 * How a {@link Pretraining} call ended.
 *
 * @param runDir the run directory, fully qualified
 * @param alreadyComplete the run had reached max-steps before this call; nothing was trained
 * @param step completed steps
 * @param maxSteps the run's planned steps
 * @param tokens tokens trained on so far
 * @param finalValidationLoss the last validation loss in nats/token (NaN before the first validation)
 * @param order0EntropyBits the corpus's unigram entropy in bits per unit (NaN when already complete)
 * @param unit what the order-0 entropy is per: "byte" for the byte tokenizer, else "token"
 * @param finalBitsPerByte the last validation loss in bits per byte of text (NaN before the first
 *     validation, or for a tokenizer whose tokens' bytes are not known)
 * @param report the report page written at the end, or null (not wanted, or not written: see the warnings)
 */
public record PretrainResult(
        String runDir,
        boolean alreadyComplete,
        long step,
        long maxSteps,
        long tokens,
        double finalValidationLoss,
        double order0EntropyBits,
        String unit,
        double finalBitsPerByte,
        String report) {

    /** Whether the run has reached its planned steps. */
    public boolean finished() {
        return step >= maxSteps;
    }

    /** The last validation loss in bits per unit (NaN before the first validation). */
    public double finalValidationBits() {
        return finalValidationLoss / Math.log(2);
    }
}
