package dev.pacer.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.pacer.config.ConfigError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code pacer.engine.cpu-kernels} (docs/determinism.md): which vector kernels libtorch runs on
 * the CPU. libtorch picks them per CPU when it loads (AVX-512 where the CPU has it, else AVX2), and
 * so does the MKL inside it for matrix products, so the same step computes slightly different bits
 * on different CPU generations. {@link #AVX2} pins both to their AVX2 paths through the environment
 * variables they read ({@code ATEN_CPU_CAPABILITY}, {@code MKL_CBWR}, {@code ONEDNN_MAX_CPU_ISA}):
 * executors get them from Spark ({@code spark.executorEnv.*}), the command's own JVM (the
 * executor in local mode) sets them in its environment before libtorch loads.
 */
public enum CpuKernels {
    /** What libtorch and MKL choose for the CPU they run on: fastest, bits differ across CPU kinds. */
    NATIVE,
    /** The AVX2 kernels on every x86-64 CPU that has AVX2 (Intel since 2013, AMD since 2015). */
    AVX2;

    public static final String KEY = "pacer.engine.cpu-kernels";

    /** The environment variables that select these kernels (none for native). */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        if (this == AVX2) {
            env.put("ATEN_CPU_CAPABILITY", "avx2"); // libtorch's own kernels (softmax, norms, ...)
            env.put("MKL_CBWR", "AVX2"); // MKL's matrix products: conditional numerical reproducibility
            env.put("ONEDNN_MAX_CPU_ISA", "AVX2"); // oneDNN, for the operators libtorch gives it
        }
        return env;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CpuKernels parse(String value) {
        for (CpuKernels k : values()) {
            if (k.id().equals(value)) {
                return k;
            }
        }
        throw new ConfigError(KEY + " = \"" + value + "\": expected native or avx2");
    }

    /**
     * Sets {@link #environment()} in this process, before libtorch loads, unless it is set already.
     * Returns a warning when that is too late (libtorch is loaded in this JVM, e.g. an application
     * that used it before): the setting then applies from the next JVM.
     *
     * @throws ConfigError when the kernels cannot exist on this CPU architecture
     */
    public Optional<String> pinThisProcess() {
        Map<String, String> missing = new LinkedHashMap<>();
        environment().forEach((k, v) -> {
            if (!v.equals(LibC.INSTANCE.getenv(k))) {
                missing.put(k, v);
            }
        });
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        String arch = System.getProperty("os.arch", "");
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            throw new ConfigError(KEY + " = " + id() + ": AVX2 kernels need an x86-64 CPU, this JVM runs on " + arch
                    + "; use native");
        }
        if (libtorchLoaded()) {
            return Optional.of(KEY + " = " + id() + " does not apply to this JVM: libtorch is loaded in it already"
                    + " (it reads " + String.join(", ", missing.keySet()) + " when it loads); it applies to"
                    + " executors started by this run and to the next command");
        }
        missing.forEach((k, v) -> LibC.INSTANCE.setenv(k, v, 1));
        return Optional.empty();
    }

    /** Whether libtorch's library is mapped into this process (Linux; elsewhere assumed not). */
    static boolean libtorchLoaded() {
        try {
            return Files.readString(Path.of("/proc/self/maps")).contains("libtorch_cpu");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The two C library calls needed: the JVM's own view of the environment is a copy taken at start. */
    private interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int setenv(String name, String value, int overwrite);

        String getenv(String name);
    }
}
