package dev.pacer.optim;

/**
 * The hyperparameters of AdamW, LAMB and diffGrad: moment decays {@code beta1}, {@code beta2} in
 * [0, 1), {@code eps} finite and &gt; 0, decoupled weight decay &gt;= 0. Each optimizer reads them
 * from its own block ({@code pacer.optimizer} for AdamW, {@code pacer.optimizer.lamb},
 * {@code pacer.optimizer.diffgrad}); {@link #check} names that block's keys.
 */
public record AdamTerms(double beta1, double beta2, double eps, double weightDecay)
        implements OptimizerSpec.Hyperparameters {

    @Override
    public void check(OptimizerSpec spec) {
        spec.checkAdamTerms(beta1, beta2, eps, weightDecay);
    }
}
