package dev.pacer.config;

import com.typesafe.config.Config;

/** Settings under {@code pacer.optimizer}; documented in core's reference.conf. */
public record OptimizerSettings(String name, double beta1, double beta2, double eps, double weightDecay) {

    public OptimizerSettings {
        Check.oneOf("pacer.optimizer.name", name, "adamw");
        Check.inRange("pacer.optimizer.beta1", beta1, 0, 1, false);
        Check.inRange("pacer.optimizer.beta2", beta2, 0, 1, false);
        Check.positive("pacer.optimizer.eps", eps);
        Check.nonNegative("pacer.optimizer.weight-decay", weightDecay);
    }

    /** Decoupled weight decay for one tensor: matrices and embeddings decay, biases and norms do not. */
    public double weightDecayFor(dev.pacer.model.TensorSpec t) {
        return t.decays() ? weightDecay : 0.0;
    }

    public static OptimizerSettings from(Config pacer) {
        Config c = pacer.getConfig("optimizer");
        return new OptimizerSettings(c.getString("name"), c.getDouble("beta1"), c.getDouble("beta2"),
                c.getDouble("eps"), c.getDouble("weight-decay"));
    }
}
