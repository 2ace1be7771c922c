package dev.pacer.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.config.ConfigError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code pacer.engine.cpu-kernels}: the setting pins libtorch exactly as the environment
 * variables set before the JVM starts do (same bits, on any CPU), and says so when libtorch was
 * loaded before it could apply. Each case is a fresh JVM, since libtorch picks its kernels once.
 * (That pinned bits differ from native ones holds only on CPUs with AVX-512, so it is not tested
 * here; docs/determinism.md gives the measurement.)
 */
class CpuKernelsTest {

    @Test
    void settingValuesAndTheirEnvironment() {
        assertEquals(CpuKernels.NATIVE, CpuKernels.parse("native"));
        assertEquals(Map.of(), CpuKernels.NATIVE.environment());
        assertEquals(
                Map.of("ATEN_CPU_CAPABILITY", "avx2", "MKL_CBWR", "AVX2", "ONEDNN_MAX_CPU_ISA", "AVX2"),
                CpuKernels.parse("avx2").environment());
        ConfigError e = assertThrows(ConfigError.class, () -> CpuKernels.parse("avx512"));
        assertEquals("pacer.engine.cpu-kernels = \"avx512\": expected native or avx2", e.getMessage());
    }

    @Test
    void pinningInTheJvmEqualsTheEnvironmentSetBeforeIt() throws Exception {
        List<String> pinned = probe("pin", Map.of());
        List<String> exported = probe("none", CpuKernels.AVX2.environment());
        assertEquals(exported.get(0), pinned.get(0), "same bits as the exported environment");
        assertEquals("", pinned.get(1), "no warning: " + pinned);
    }

    @Test
    void pinningAfterLibtorchLoadedIsAWarning() throws Exception {
        List<String> late = probe("late", Map.of());
        assertTrue(late.get(1).contains("libtorch is loaded in it already"), late.toString());
    }

    /** Runs {@link KernelProbe} in a new JVM with {@code env} added; its two output lines. */
    private static List<String> probe(String mode, Map<String, String> env) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-Dai.djl.offline=true",
                "-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                KernelProbe.class.getName(),
                mode));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
        CpuKernels.AVX2.environment().keySet().forEach(pb.environment()::remove);
        pb.environment().putAll(env);
        Process p = pb.redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the probe did not end");
        assertEquals(0, p.exitValue(), out);
        List<String> lines = new ArrayList<>(out.lines().toList());
        while (lines.size() < 2) {
            lines.add("");
        }
        return lines;
    }
}
