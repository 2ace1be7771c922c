package dev.pacer.hidlr;

import dev.pacer.config.ConfigChoice;
import dev.pacer.model.ParameterKind;
import dev.pacer.model.ParameterLayout;
import dev.pacer.model.TensorSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The model's tensors split into Hi-DLR parameter groups (docs/design.md section 4). Each group gets one
 * learning-rate multiplier; every tensor belongs to exactly one group.
 *
 * <ul>
 *   <li>{@code kind} (default): token-embedding, position-embedding, attention, mlp, norm, bias;</li>
 *   <li>{@code block}: embeddings (wte, wpe), block-0 .. block-(L-1), final-norm (ln_f);</li>
 *   <li>{@code tensor}: one group per tensor, named as the tensor.</li>
 * </ul>
 */
public final class ParameterGroups {

    /** How tensors are grouped ({@code pacer.hidlr.grouping}). */
    public enum Strategy implements ConfigChoice {
        KIND,
        BLOCK,
        TENSOR
    }

    /** One group: its name, tensor indices in layout order, and parameter count. */
    public record Group(String name, List<Integer> tensors, long size) {}

    private final List<Group> groups;
    private final int[] groupOfTensor;
    private final long totalSize;

    private ParameterGroups(List<Group> groups, int tensorCount) {
        this.groups = Collections.unmodifiableList(groups);
        this.groupOfTensor = new int[tensorCount];
        long total = 0;
        for (int g = 0; g < groups.size(); g++) {
            for (int t : groups.get(g).tensors()) {
                groupOfTensor[t] = g;
            }
            total += groups.get(g).size();
        }
        this.totalSize = total;
    }

    public static ParameterGroups of(ParameterLayout layout, Strategy strategy) {
        Map<String, List<Integer>> byName = new LinkedHashMap<>();
        if (strategy == Strategy.KIND) {
            // fixed order, whatever order the layout lists tensors in
            for (ParameterKind k : ParameterKind.values()) {
                byName.put(kindName(k), new ArrayList<>());
            }
        }
        List<TensorSpec> tensors = layout.tensors();
        for (int i = 0; i < tensors.size(); i++) {
            byName.computeIfAbsent(groupName(tensors.get(i), strategy), n -> new ArrayList<>())
                    .add(i);
        }
        List<Group> groups = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> e : byName.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            long size = 0;
            for (int t : e.getValue()) {
                size += tensors.get(t).size();
            }
            groups.add(new Group(e.getKey(), List.copyOf(e.getValue()), size));
        }
        return new ParameterGroups(groups, tensors.size());
    }

    static String kindName(ParameterKind kind) {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String groupName(TensorSpec t, Strategy strategy) {
        return switch (strategy) {
            case KIND -> kindName(t.kind());
            case TENSOR -> t.name();
            case BLOCK ->
                t.block() >= 0
                        ? "block-" + t.block()
                        : t.kind() == ParameterKind.TOKEN_EMBEDDING || t.kind() == ParameterKind.POSITION_EMBEDDING
                                ? "embeddings"
                                : "final-norm";
        };
    }

    public List<Group> groups() {
        return groups;
    }

    public int count() {
        return groups.size();
    }

    public Group group(int g) {
        return groups.get(g);
    }

    /** Index of the group that holds tensor {@code tensorIndex} (layout order). */
    public int groupOf(int tensorIndex) {
        return groupOfTensor[tensorIndex];
    }

    /** Index of the group named {@code name}, or -1. */
    public int indexOf(String name) {
        for (int g = 0; g < groups.size(); g++) {
            if (groups.get(g).name().equals(name)) {
                return g;
            }
        }
        return -1;
    }

    /** Parameters in all groups (the model's parameter count). */
    public long totalSize() {
        return totalSize;
    }
}
