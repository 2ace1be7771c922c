package dev.pacer.hidlr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pacer.model.GptConfig;
import dev.pacer.model.ParameterLayout;
import dev.pacer.model.TensorSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParameterGroupsTest {

    // vocab 11, context 5, width 4, 2 layers: sizes counted by hand below
    private final ParameterLayout layout = new ParameterLayout(new GptConfig(11, 5, 4, 2, 2, 1e-5));

    @Test
    void byKindHasTheSixKindsWithHandCountedSizes() {
        ParameterGroups g = ParameterGroups.of(layout, ParameterGroups.Strategy.KIND);
        assertEquals(
                List.of("token-embedding", "position-embedding", "attention", "mlp", "norm", "bias"),
                g.groups().stream().map(ParameterGroups.Group::name).toList());
        int d = 4;
        assertEquals(11 * d, g.group(0).size());
        assertEquals(5 * d, g.group(1).size());
        assertEquals(2 * (d * 3 * d + d * d), g.group(2).size());
        assertEquals(2 * (d * 4 * d + 4 * d * d), g.group(3).size());
        assertEquals(2 * 2 * d + d, g.group(4).size()); // ln_1, ln_2 per block + ln_f gains
        assertEquals(2 * (d + 3 * d + d + d + 4 * d + d) + d, g.group(5).size());
        assertEquals(layout.totalSize(), g.totalSize());
    }

    @Test
    void byBlockAndByTensorCoverEveryTensorOnce() {
        ParameterGroups block = ParameterGroups.of(layout, ParameterGroups.Strategy.BLOCK);
        assertEquals(
                List.of("embeddings", "block-0", "block-1", "final-norm"),
                block.groups().stream().map(ParameterGroups.Group::name).toList());
        ParameterGroups tensor = ParameterGroups.of(layout, ParameterGroups.Strategy.TENSOR);
        assertEquals(layout.tensors().size(), tensor.count());
        for (int i = 0; i < layout.tensors().size(); i++) {
            TensorSpec t = layout.tensors().get(i);
            assertEquals(t.name(), tensor.group(tensor.groupOf(i)).name());
            String expected =
                    t.block() >= 0 ? "block-" + t.block() : t.name().startsWith("ln_f") ? "final-norm" : "embeddings";
            assertEquals(expected, block.group(block.groupOf(i)).name());
        }
        assertEquals(layout.totalSize(), block.totalSize());
        assertEquals(layout.totalSize(), tensor.totalSize());
    }

    @Test
    void unknownStrategyIsNamed() {
        dev.pacer.config.ConfigError e = assertThrows(
                dev.pacer.config.ConfigError.class,
                () -> dev.pacer.config.ConfigChoice.parse(
                        ParameterGroups.Strategy.class, "pacer.hidlr.grouping", "layer"));
        assertEquals("pacer.hidlr.grouping = \"layer\": expected one of kind, block, tensor", e.getMessage());
    }
}
