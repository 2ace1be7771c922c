package dev.pacer.optim;

import dev.pacer.config.ConfigError;
import dev.pacer.config.OptimizerSettings;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The registry of the optimizers {@code pacer.optimizer.name} can select. Adding one takes:
 *
 * <ol>
 *   <li>one new class in this package (usually extending {@link FlatStateOptimizer}) that declares
 *       its entry, {@code public static final OptimizerSpec SPEC = OptimizerSpec.ownBlock("<id>",
 *       Settings.class, MyOptimizer::new)}, with a nested {@code record Settings implements
 *       OptimizerSpec.Hyperparameters}: one component per key of its block (read by name, in kebab
 *       case), a {@code weightDecay} among them, with the range checks in the record's constructor
 *       (each a {@link ConfigError} naming the key, via {@code SPEC.key}); the Adam family's four
 *       terms are {@link AdamTerms};
 *   <li>one line: its {@code SPEC} in {@link #REGISTERED};
 *   <li>its documented defaults, as for every setting: the block {@code pacer.optimizer.<id>} in
 *       core's reference.conf, and the id in the comment of {@code pacer.optimizer.name}
 *       ({@code ReferenceConfTest} fails until both are there).
 * </ol>
 *
 * Nothing else names an optimizer: the settings read every registered block (all are validated,
 * whichever is selected), and the run builds the selected one through its entry.
 */
public final class Optimizers {

    /** Every selectable optimizer, in the order docs and errors list them. */
    public static final List<OptimizerSpec> REGISTERED = List.of(
            AdamW.SPEC,
            SgdMomentum.SPEC,
            Lion.SPEC,
            AdaBelief.SPEC,
            Adan.SPEC,
            Lamb.SPEC,
            DiffGrad.SPEC,
            AdamP.SPEC,
            SgdSai.SPEC,
            Prodigy.SPEC,
            ScheduleFreeAdamW.SPEC);

    private Optimizers() {}

    /** The registered optimizer {@code id}; a {@link ConfigError} naming {@code key} and the valid ids otherwise. */
    public static OptimizerSpec parse(String key, String id) {
        for (OptimizerSpec s : REGISTERED) {
            if (s.id().equals(id)) {
                return s;
            }
        }
        throw new ConfigError(key + " = \"" + id + "\": expected one of " + ids());
    }

    /** The registered optimizer {@code id} (for settings shipped to another JVM). */
    static OptimizerSpec spec(String id) {
        return parse("pacer.optimizer.name", id);
    }

    /** The registered ids, comma-separated. */
    public static String ids() {
        return REGISTERED.stream().map(OptimizerSpec::id).collect(Collectors.joining(", "));
    }

    /**
     * A fresh optimizer for a flat weight vector of {@code size} elements. Weight decay is not part of it:
     * it comes per tensor with each step's slices ({@link OptimizerSettings#weightDecayFor}).
     */
    public static Optimizer create(OptimizerSettings s, int size) {
        return s.spec().create(s.hyperparameters(), size);
    }
}
