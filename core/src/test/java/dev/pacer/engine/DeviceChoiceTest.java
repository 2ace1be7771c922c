package dev.pacer.engine;

import static dev.pacer.engine.DeviceChoice.Setting.AUTO;
import static dev.pacer.engine.DeviceChoice.Setting.CPU;
import static dev.pacer.engine.DeviceChoice.Setting.GPU;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.config.ConfigError;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every branch of the device decision, from plain inputs: no GPU needed. */
class DeviceChoiceTest {

    private static final List<String> NONE = List.of();

    @Test
    void settingValuesParseAndAnythingElseNamesTheKey() {
        assertEquals(AUTO, DeviceChoice.Setting.parse("auto"));
        assertEquals(CPU, DeviceChoice.Setting.parse(" CPU "));
        assertEquals(GPU, DeviceChoice.Setting.parse("gpu"));
        for (String bad : new String[] {"cuda", "gpu0", "", "gpu(1)"}) {
            ConfigError e = assertThrows(ConfigError.class, () -> DeviceChoice.Setting.parse(bad));
            assertEquals("pacer.engine.device = \"" + bad + "\": expected one of auto, cpu, gpu", e.getMessage());
        }
        assertThrows(ConfigError.class, () -> DeviceChoice.Setting.parse(null));
    }

    @Test
    void cpuSettingIgnoresAssignedGpus() {
        DeviceChoice c = DeviceChoice.choose(CPU, List.of("0"), 2);
        assertFalse(c.isGpu());
        assertEquals("cpu", c.device());
        assertEquals("pacer.engine.device = cpu", c.reason());
    }

    @Test
    void autoUsesTheGpuSparkAssigned() {
        DeviceChoice c = DeviceChoice.choose(AUTO, List.of("1"), 2);
        assertEquals(1, c.gpu());
        assertEquals("gpu(1)", c.device());
        assertEquals("Spark assigned GPU 1", c.reason());
        assertEquals(0, DeviceChoice.choose(AUTO, List.of(" 0 "), 1).gpu());
    }

    @Test
    void autoFallsBackToCpuWithoutAnAssignedGpu() {
        DeviceChoice c = DeviceChoice.choose(AUTO, NONE, 4);
        assertFalse(c.isGpu());
        assertTrue(c.reason().startsWith("no GPU resource assigned to the task"), c.reason());
        assertTrue(c.reason().contains("4 CUDA device(s) visible"), c.reason());
        DeviceChoice none = DeviceChoice.choose(AUTO, NONE, 0);
        assertFalse(none.isGpu());
        assertTrue(none.reason().contains("libtorch sees no CUDA device"), none.reason());
    }

    @Test
    void autoFallsBackToCpuWhenLibtorchSeesNoCudaDevice() {
        DeviceChoice c = DeviceChoice.choose(AUTO, List.of("0"), 0);
        assertFalse(c.isGpu());
        assertTrue(c.reason().startsWith("Spark assigned GPU [0], but libtorch sees no CUDA device"), c.reason());
        assertTrue(c.reason().contains("CPU-only natives"), c.reason());
    }

    @Test
    void autoFallsBackToCpuOnAnAddressLibtorchCannotUse() {
        DeviceChoice outOfRange = DeviceChoice.choose(AUTO, List.of("3"), 2);
        assertFalse(outOfRange.isGpu());
        assertTrue(outOfRange.reason().contains("sees only 2 CUDA device(s) (indices 0-1)"), outOfRange.reason());
        DeviceChoice uuid = DeviceChoice.choose(AUTO, List.of("GPU-8f3a"), 2);
        assertFalse(uuid.isGpu());
        assertTrue(uuid.reason().contains("'GPU-8f3a', which is not a CUDA device index"), uuid.reason());
        assertFalse(DeviceChoice.choose(AUTO, List.of("-1"), 2).isGpu());
    }

    @Test
    void severalAddressesUseTheFirstAndSaySo() {
        DeviceChoice c = DeviceChoice.choose(AUTO, List.of("2", "3"), 4);
        assertEquals(2, c.gpu());
        assertTrue(c.reason().contains("[3] stay idle"), c.reason());
    }

    @Test
    void gpuSettingUsesTheAssignedGpuOrDeviceZero() {
        assertEquals(1, DeviceChoice.choose(GPU, List.of("1"), 2).gpu());
        DeviceChoice local = DeviceChoice.choose(GPU, NONE, 2);
        assertEquals(0, local.gpu());
        assertTrue(local.reason().contains("uses CUDA device 0 of 2"), local.reason());
    }

    @Test
    void gpuSettingFailsInsteadOfFallingBack() {
        IllegalStateException none =
                assertThrows(IllegalStateException.class, () -> DeviceChoice.choose(GPU, List.of("0"), 0));
        assertTrue(
                none.getMessage().startsWith("pacer.engine.device = gpu, but libtorch sees no CUDA device"),
                none.getMessage());
        assertTrue(none.getMessage().endsWith("set pacer.engine.device = auto to fall back to the CPU"));
        assertThrows(IllegalStateException.class, () -> DeviceChoice.choose(GPU, NONE, 0));
        IllegalStateException range =
                assertThrows(IllegalStateException.class, () -> DeviceChoice.choose(GPU, List.of("5"), 1));
        assertTrue(range.getMessage().contains("Spark assigned GPU 5, but libtorch sees only 1"), range.getMessage());
        assertThrows(IllegalStateException.class, () -> DeviceChoice.choose(GPU, List.of("GPU-1"), 1));
    }

    @Test
    void reasonsAreOneLine() {
        for (DeviceChoice c : List.of(
                DeviceChoice.choose(AUTO, NONE, 0),
                DeviceChoice.choose(AUTO, NONE, 1),
                DeviceChoice.choose(AUTO, List.of("0"), 0),
                DeviceChoice.choose(AUTO, List.of("9"), 1),
                DeviceChoice.choose(AUTO, List.of("0", "1"), 2),
                DeviceChoice.choose(GPU, NONE, 1))) {
            assertFalse(c.reason().contains("\n"), c.reason());
        }
    }

    @Test
    void negativeVisibleCountIsABug() {
        assertThrows(IllegalArgumentException.class, () -> DeviceChoice.choose(AUTO, NONE, -1));
    }
}
