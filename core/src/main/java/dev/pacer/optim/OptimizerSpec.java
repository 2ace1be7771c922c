package dev.pacer.optim;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import dev.pacer.config.ConfigError;
import java.io.Serializable;

/**
 * One optimizer that {@code pacer.optimizer.name} can select: its id and how its hyperparameters
 * are read from its block of {@code pacer.optimizer}. Each optimizer's class declares its entry
 * ({@code SPEC}) next to its {@link Hyperparameters} record; {@link Optimizers#REGISTERED} lists them.
 *
 * @param id     the value of {@code pacer.optimizer.name}
 * @param block  the optimizer's block under {@code pacer.optimizer}, or null when its keys sit
 *               directly under {@code pacer.optimizer} (AdamW's)
 * @param reader builds the validated hyperparameters from that block
 */
public record OptimizerSpec(String id, String block, Reader reader) implements Serializable {

    private static final String PREFIX = "pacer.optimizer.";

    /** Reads an optimizer's block (values are typed by Typesafe Config; ranges by the record). */
    @FunctionalInterface
    public interface Reader {
        Hyperparameters read(Config block);
    }

    /**
     * An optimizer's validated hyperparameters: a record whose constructor checks every range and
     * names the key in its {@link ConfigError}. Serializable: it travels to executors with the
     * run's settings.
     */
    public interface Hyperparameters extends Serializable {

        /** The weight-decay coefficient (each step's slices carry it; see {@code pacer.optimizer.no-decay}). */
        double weightDecay();

        /** A fresh optimizer for a flat weight vector of {@code size} elements. */
        Optimizer create(int size);

        /** Refuses a peak learning rate ({@code pacer.train.lr}) this optimizer cannot use; most take any. */
        default void checkLearningRate(double lr) {}
    }

    /** An optimizer whose hyperparameters are the block {@code pacer.optimizer.<id>}. */
    public static OptimizerSpec ownBlock(String id, Reader reader) {
        return new OptimizerSpec(id, id, reader);
    }

    /** The hyperparameters in {@code optimizer} (the {@code pacer.optimizer} object), validated. */
    public Hyperparameters read(Config optimizer) {
        return reader.read(block == null ? optimizer : optimizer.getConfig(block));
    }

    /** The full name of one of this optimizer's keys, for error messages. */
    public String key(String name) {
        return PREFIX + (block == null ? "" : block + ".") + name;
    }

    /**
     * A number, or the one word that stands for a special value ({@code "auto"}, {@code "inf"}).
     *
     * @param fullKey the key's full name, for the error
     */
    public static double numberOrWord(Config block, String key, String word, double wordValue, String fullKey) {
        if (block.getValue(key).valueType() != ConfigValueType.STRING) {
            return block.getDouble(key);
        }
        String s = block.getString(key).trim();
        if (s.equals(word)) {
            return wordValue;
        }
        try {
            double v = Double.parseDouble(s);
            if (!Double.isNaN(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigError(fullKey + " = \"" + s + "\": expected a number or \"" + word + "\"");
    }

    /** Serialization: the id; the receiving JVM resolves it to its registered entry. */
    private Object writeReplace() {
        return new Registered(id);
    }

    private record Registered(String id) implements Serializable {
        private Object readResolve() {
            return Optimizers.spec(id);
        }
    }
}
