package dev.pacer.config;

import com.typesafe.config.Config;
import dev.pacer.model.ParameterKind;
import dev.pacer.model.TensorSpec;
import dev.pacer.optim.OptimizerSpec;
import dev.pacer.optim.Optimizers;
import java.util.List;
import java.util.Objects;

/**
 * Settings under {@code pacer.optimizer}; documented in core's reference.conf and docs/optimizers.md.
 * The selected optimizer is a registry entry ({@link Optimizers#REGISTERED}); its hyperparameters are
 * its own record, read from its block (AdamW's keys sit directly under {@code pacer.optimizer}).
 *
 * @param spec            the optimizer {@code pacer.optimizer.name} selects
 * @param hyperparameters its validated hyperparameters
 * @param noDecay         the tensor kinds that take no weight decay
 */
public record OptimizerSettings(OptimizerSpec spec, OptimizerSpec.Hyperparameters hyperparameters, List<String> noDecay)
        implements java.io.Serializable {

    /** The tensor kinds {@code pacer.optimizer.no-decay} can name. */
    public static final List<String> NO_DECAY_KINDS =
            List.of("norm", "bias", "embedding", "token-embedding", "position-embedding");

    public OptimizerSettings {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(hyperparameters, "hyperparameters");
        noDecay = List.copyOf(noDecay);
        for (String kind : noDecay) {
            Check.oneOf("pacer.optimizer.no-decay", kind, NO_DECAY_KINDS.toArray(String[]::new));
        }
    }

    /** The weight-decay coefficient of the selected optimizer. */
    public double selectedWeightDecay() {
        return hyperparameters.weightDecay();
    }

    /** Whether {@code pacer.optimizer.no-decay} exempts tensors of this kind from weight decay. */
    public boolean exemptFromDecay(ParameterKind kind) {
        return switch (kind) {
            case NORM -> noDecay.contains("norm");
            case BIAS -> noDecay.contains("bias");
            case TOKEN_EMBEDDING -> noDecay.contains("embedding") || noDecay.contains("token-embedding");
            case POSITION_EMBEDDING -> noDecay.contains("embedding") || noDecay.contains("position-embedding");
            case ATTENTION, MLP -> false;
        };
    }

    /**
     * Weight decay for one tensor: the selected optimizer's coefficient, or 0 for the kinds that
     * {@code pacer.optimizer.no-decay} names (by default norms, biases and embeddings).
     */
    public double weightDecayFor(TensorSpec t) {
        return exemptFromDecay(t.kind()) ? 0.0 : selectedWeightDecay();
    }

    /**
     * Reads {@code pacer.optimizer}: every registered optimizer's block is validated, whichever is
     * selected, and the selected one's learning-rate rule is checked against {@code pacer.train.lr}.
     */
    public static OptimizerSettings from(Config pacer) {
        Config c = pacer.getConfig("optimizer");
        OptimizerSpec selected = Optimizers.parse("pacer.optimizer.name", c.getString("name"));
        OptimizerSpec.Hyperparameters hyperparameters = null;
        for (OptimizerSpec spec : Optimizers.REGISTERED) {
            OptimizerSpec.Hyperparameters h = spec.read(c);
            if (spec == selected) {
                hyperparameters = h;
            }
        }
        if (pacer.hasPath("train.lr")) {
            hyperparameters.checkLearningRate(pacer.getDouble("train.lr"));
        }
        return new OptimizerSettings(selected, hyperparameters, c.getStringList("no-decay"));
    }
}
