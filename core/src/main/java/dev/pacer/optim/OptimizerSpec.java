package dev.pacer.optim;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import dev.pacer.config.Check;
import dev.pacer.config.ConfigError;
import java.io.Serializable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Locale;

/**
 * One optimizer that {@code pacer.optimizer.name} can select: its id and how its hyperparameters
 * are read from its block of {@code pacer.optimizer}. Each optimizer's class declares its entry
 * ({@code SPEC}) next to its {@link Hyperparameters} record; {@link Optimizers#REGISTERED} lists them.
 *
 * @param id     the value of {@code pacer.optimizer.name}
 * @param block  the optimizer's block under {@code pacer.optimizer}, or null when its keys sit
 *               directly under {@code pacer.optimizer} (AdamW's)
 * @param reader builds the validated hyperparameters from that block
 * @param factory builds the optimizer from them
 */
public record OptimizerSpec(String id, String block, Reader reader, Factory factory) implements Serializable {

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

        /**
         * Checks ranges that need the optimizer's key names ({@code spec.key}); nothing by default,
         * as most records check in their own constructor.
         */
        default void check(OptimizerSpec spec) {}

        /** Refuses a peak learning rate ({@code pacer.train.lr}) this optimizer cannot use; most take any. */
        default void checkLearningRate(double lr) {}
    }

    /** Builds an optimizer from its hyperparameters, whatever their record. */
    @FunctionalInterface
    public interface Factory {
        Optimizer create(Hyperparameters hyperparameters, int size);
    }

    /** An optimizer's constructor: a flat weight vector of {@code size} elements and its record. */
    @FunctionalInterface
    public interface Constructor<H extends Hyperparameters> {
        Optimizer create(int size, H hyperparameters);
    }

    /**
     * An optimizer whose hyperparameters are the block {@code pacer.optimizer.<id>}, one key per
     * component of {@code record}: the component's name in kebab case ({@code weightDecay} is
     * {@code weight-decay}), a number for a {@code double}, true or false for a {@code boolean}.
     */
    public static <H extends Hyperparameters> OptimizerSpec ownBlock(
            String id, Class<H> record, Constructor<H> constructor) {
        return new OptimizerSpec(id, id, block -> readRecord(record, block), typed(record, constructor));
    }

    /** As {@link #ownBlock}, with the keys directly under {@code pacer.optimizer} (AdamW's). */
    public static <H extends Hyperparameters> OptimizerSpec topLevel(
            String id, Class<H> record, Constructor<H> constructor) {
        return new OptimizerSpec(id, null, block -> readRecord(record, block), typed(record, constructor));
    }

    /** As {@link #ownBlock}, with a reader of its own (for values such as {@code "auto"}). */
    public static <H extends Hyperparameters> OptimizerSpec withReader(
            String id, Class<H> type, Reader reader, Constructor<H> constructor) {
        return new OptimizerSpec(id, id, reader, typed(type, constructor));
    }

    private static <H extends Hyperparameters> Factory typed(Class<H> type, Constructor<H> constructor) {
        return (h, size) -> constructor.create(size, type.cast(h));
    }

    /** A fresh optimizer for a flat weight vector of {@code size} elements. */
    public Optimizer create(Hyperparameters hyperparameters, int size) {
        return factory.create(hyperparameters, size);
    }

    /** The record whose components are read from the keys of the same names; its constructor checks them. */
    static Hyperparameters readRecord(Class<? extends Hyperparameters> record, Config block) {
        RecordComponent[] components = record.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            String key = components[i]
                    .getName()
                    .replaceAll("([a-z0-9])([A-Z])", "$1-$2")
                    .toLowerCase(Locale.ROOT);
            types[i] = components[i].getType();
            values[i] = types[i] == boolean.class ? block.getBoolean(key) : block.getDouble(key);
        }
        try {
            return record.getDeclaredConstructor(types).newInstance(values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r; // the record's ConfigError
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(record + " is not a record of doubles and booleans", e);
        }
    }

    /**
     * The terms of the Adam family, checked as every one of them needs: moment decays in [0, 1),
     * {@code eps} finite and &gt; 0, weight decay finite and &gt;= 0.
     */
    public void checkAdamTerms(double beta1, double beta2, double eps, double weightDecay) {
        Check.inRange(key("beta1"), beta1, 0, 1, false);
        Check.inRange(key("beta2"), beta2, 0, 1, false);
        Check.positive(key("eps"), eps);
        Check.nonNegative(key("weight-decay"), weightDecay);
    }

    /** The hyperparameters in {@code optimizer} (the {@code pacer.optimizer} object), validated. */
    public Hyperparameters read(Config optimizer) {
        Hyperparameters h = reader.read(block == null ? optimizer : optimizer.getConfig(block));
        h.check(this);
        return h;
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
