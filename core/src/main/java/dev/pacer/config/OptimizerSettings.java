package dev.pacer.config;

import com.typesafe.config.Config;
import dev.pacer.model.ParameterKind;
import dev.pacer.model.TensorSpec;
import java.util.List;
import java.util.Objects;

/**
 * Settings under {@code pacer.optimizer}; documented in core's reference.conf and docs/optimizers.md.
 * {@code beta1}, {@code beta2}, {@code eps} and {@code weightDecay} are AdamW's; every other optimizer's
 * hyperparameters are in {@link #hyper()}.
 */
public record OptimizerSettings(
        String name,
        double beta1,
        double beta2,
        double eps,
        double weightDecay,
        List<String> noDecay,
        OptimizerHyperparameters hyper)
        implements java.io.Serializable {

    /** Every optimizer {@code pacer.optimizer.name} can select. */
    public static final List<String> NAMES = List.of(
            "adamw",
            "sgd",
            "lion",
            "adabelief",
            "adan",
            "lamb",
            "diffgrad",
            "adamp",
            "sgd-sai",
            "prodigy",
            "schedule-free-adamw");

    /** The tensor kinds {@code pacer.optimizer.no-decay} can name. */
    public static final List<String> NO_DECAY_KINDS =
            List.of("norm", "bias", "embedding", "token-embedding", "position-embedding");

    public OptimizerSettings {
        Check.oneOf("pacer.optimizer.name", name, NAMES.toArray(String[]::new));
        Check.inRange("pacer.optimizer.beta1", beta1, 0, 1, false);
        Check.inRange("pacer.optimizer.beta2", beta2, 0, 1, false);
        Check.positive("pacer.optimizer.eps", eps);
        Check.nonNegative("pacer.optimizer.weight-decay", weightDecay);
        noDecay = List.copyOf(noDecay);
        for (String kind : noDecay) {
            Check.oneOf("pacer.optimizer.no-decay", kind, NO_DECAY_KINDS.toArray(String[]::new));
        }
        Objects.requireNonNull(hyper, "hyper");
    }

    /** The weight-decay coefficient of the selected optimizer. */
    public double selectedWeightDecay() {
        return switch (name) {
            case "adamw" -> weightDecay;
            case "sgd" -> hyper.sgd().weightDecay();
            case "lion" -> hyper.lion().weightDecay();
            case "adabelief" -> hyper.adabelief().weightDecay();
            case "adan" -> hyper.adan().weightDecay();
            case "lamb" -> hyper.lamb().weightDecay();
            case "diffgrad" -> hyper.diffgrad().weightDecay();
            case "adamp" -> hyper.adamp().weightDecay();
            case "sgd-sai" -> hyper.sgdSai().weightDecay();
            case "prodigy" -> hyper.prodigy().weightDecay();
            case "schedule-free-adamw" -> hyper.scheduleFree().weightDecay();
            default -> throw new IllegalStateException("no weight decay for optimizer '" + name + "'");
        };
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

    public static OptimizerSettings from(Config pacer) {
        Config c = pacer.getConfig("optimizer");
        OptimizerSettings s = new OptimizerSettings(
                c.getString("name"),
                c.getDouble("beta1"),
                c.getDouble("beta2"),
                c.getDouble("eps"),
                c.getDouble("weight-decay"),
                c.getStringList("no-decay"),
                OptimizerHyperparameters.from(c));
        if (s.name().equals("prodigy") && pacer.hasPath("train.lr")) {
            checkProdigyLr(pacer.getDouble("train.lr"));
        }
        return s;
    }

    /**
     * Prodigy's learning rate multiplies its own step-size estimate: its authors recommend 1. A rate far from
     * it (such as an AdamW rate left in place) makes the estimate grow slowly and the run crawl.
     */
    static void checkProdigyLr(double lr) {
        if (!(lr >= 0.1 && lr <= 10)) {
            throw new ConfigError("pacer.train.lr = " + lr + " with pacer.optimizer.name = \"prodigy\": Prodigy's"
                    + " learning rate multiplies its own step-size estimate, so use a value in [0.1, 10], normally"
                    + " 1.0 (conf/optimizers/prodigy.conf), and tune pacer.optimizer.prodigy.d-coef instead");
        }
    }
}
