package dev.pacer.engine;

import ai.djl.Device;
import dev.pacer.config.ConfigError;
import dev.pacer.model.ParameterLayout;
import java.util.Locale;

/** {@code pacer.engine.compute}: what computes the gradients and losses of a step. */
public enum Compute {
    /** The GPT model on libtorch: training. */
    TORCH,
    /**
     * {@link SyntheticReplica}: a quadratic stand-in with the model's parameter layout, in pure
     * Java, identical on every CPU; trains nothing useful.
     */
    SYNTHETIC;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * A new replica of this kind for {@code layout} on {@code device}, computing in {@code
     * precision} (the synthetic stand-in is plain Java doubles whatever the precision).
     */
    public Replica newReplica(ParameterLayout layout, Device device, Precision precision) {
        return this == TORCH ? new ModelReplica(layout, device, precision) : new SyntheticReplica(layout);
    }

    public static Compute parse(String key, String value) {
        for (Compute c : values()) {
            if (c.id().equals(value)) {
                return c;
            }
        }
        throw new ConfigError(key + " = \"" + value + "\": expected torch or synthetic");
    }
}
