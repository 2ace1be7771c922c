package dev.pacer.train;

/**
 * One finished optimizer step as the listeners see it. {@code step} counts completed steps
 * (1-based); {@code valLoss} is NaN on steps without validation; {@code level} and
 * {@code phase} are AdaLRS's multiplier and phase for the step (1 and null when it is off);
 * {@code groupRates} is each Hi-DLR parameter group's rate for the step in group order (null
 * when Hi-DLR is off; 0 for a frozen group).
 */
public record StepRecord(
        long step,
        long maxSteps,
        long tokens,
        double loss,
        double lr,
        double gradNorm,
        double valLoss,
        double level,
        String phase,
        java.util.Map<String, Double> groupRates,
        StepTimings timings) {

    public boolean hasValidation() {
        return !Double.isNaN(valLoss);
    }
}
