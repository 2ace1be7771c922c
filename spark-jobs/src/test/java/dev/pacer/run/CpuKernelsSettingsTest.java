package dev.pacer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import dev.pacer.config.ConfigError;
import dev.pacer.engine.CpuKernels;
import org.junit.jupiter.api.Test;

/** {@code pacer.engine.cpu-kernels} reaches the executors as {@code spark.executorEnv.*}; a user's own value wins. */
class CpuKernelsSettingsTest {

    private static PacerSettings load(String hocon) {
        return PacerSettings.load(ConfigFactory.parseString(hocon));
    }

    @Test
    void nativeLeavesTheExecutorsEnvironmentAlone() {
        PacerSettings s = load("");
        assertEquals(CpuKernels.NATIVE, s.cpuKernels());
        assertFalse(s.sparkConf().keySet().stream().anyMatch(k -> k.startsWith("spark.executorEnv.")));
    }

    @Test
    void avx2GivesTheExecutorsTheVariablesUnlessTheUserSetThem() {
        PacerSettings s = load("pacer.engine.cpu-kernels = avx2\n"
                + "pacer.spark.conf { \"spark.executorEnv.MKL_CBWR\" = \"AVX2,STRICT\" }");
        assertEquals(CpuKernels.AVX2, s.cpuKernels());
        assertEquals("avx2", s.sparkConf().get("spark.executorEnv.ATEN_CPU_CAPABILITY"));
        assertEquals("AVX2", s.sparkConf().get("spark.executorEnv.ONEDNN_MAX_CPU_ISA"));
        assertEquals("AVX2,STRICT", s.sparkConf().get("spark.executorEnv.MKL_CBWR"));
        assertEquals("avx2", s.sparkConf("test").get("spark.executorEnv.ATEN_CPU_CAPABILITY"));
    }

    @Test
    void anUnknownValueIsOneLine() {
        ConfigError e = assertThrows(ConfigError.class, () -> load("pacer.engine.cpu-kernels = avx512"));
        assertEquals("pacer.engine.cpu-kernels = \"avx512\": expected native or avx2", e.getMessage());
    }

    @Test
    void theAvx2PinWithBf16IsRefusedInOneLineAndFp32WithThePinIsAccepted() {
        ConfigError e = assertThrows(
                ConfigError.class, () -> load("pacer.engine.cpu-kernels = avx2\npacer.train.precision = bf16"));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertTrue(
                e.getMessage().startsWith("pacer.engine.cpu-kernels = avx2 with pacer.train.precision = bf16"),
                e.getMessage());
        assertEquals(
                CpuKernels.AVX2,
                load("pacer.engine.cpu-kernels = avx2\npacer.train.precision = fp32")
                        .cpuKernels());
        assertEquals(CpuKernels.NATIVE, load("pacer.train.precision = bf16").cpuKernels());
    }
}
