package dev.pacer.engine;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether a machine's CPU computes bf16 matrix products natively, read from /proc/cpuinfo.
 * libtorch computes bf16 on any CPU, but without these instructions it converts each value to fp32
 * and back, so bf16 runs slower than fp32 with none of its speed (docs/precision.md).
 *
 * @param nativeBf16 whether the CPU has a native bf16 dot-product path
 * @param cpu the CPU model, or what was read instead
 * @param evidence the flags found, or why there are none
 */
public record Bf16Hardware(boolean nativeBf16, String cpu, String evidence) implements Serializable {

    /** x86: AVX-512 BF16 (Cooper Lake, Sapphire Rapids, AMD Zen 4 and later) or AMX-BF16. */
    static final List<String> X86_FLAGS = List.of("avx512_bf16", "amx_bf16");
    /** Arm: the BF16 extension (Neoverse V1/N2, Graviton 3 and later). */
    static final String ARM_FEATURE = "bf16";

    private static volatile Bf16Hardware thisMachine;

    /** This machine's answer, read once per JVM. */
    public static Bf16Hardware thisMachine() {
        Bf16Hardware h = thisMachine;
        if (h == null) {
            Path cpuinfo = Path.of("/proc/cpuinfo");
            try {
                h = fromCpuinfo(Files.readString(cpuinfo));
            } catch (IOException | RuntimeException e) {
                h = new Bf16Hardware(
                        false,
                        System.getProperty("os.arch"),
                        "no CPU flags to read (" + cpuinfo + ": " + e.getMessage() + ")");
            }
            thisMachine = h;
        }
        return h;
    }

    /** The answer for the text of a /proc/cpuinfo (x86 "flags" or Arm "Features" lines). */
    public static Bf16Hardware fromCpuinfo(String cpuinfo) {
        String cpu = null;
        Set<String> flags = new TreeSet<>();
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            if (cpu == null && (key.equals("model name") || key.equals("cpu model"))) {
                cpu = value;
            } else if (key.equals("flags") || key.equals("features")) {
                flags.addAll(Arrays.asList(value.split("\\s+")));
            }
        }
        if (cpu == null) {
            cpu = "unknown CPU";
        }
        if (flags.isEmpty()) {
            return new Bf16Hardware(false, cpu, "/proc/cpuinfo lists no CPU flags");
        }
        List<String> found = flags.stream()
                .filter(f -> X86_FLAGS.contains(f) || f.equals(ARM_FEATURE))
                .toList();
        return found.isEmpty()
                ? new Bf16Hardware(
                        false,
                        cpu,
                        "none of " + String.join(", ", X86_FLAGS) + " (x86) or " + ARM_FEATURE
                                + " (Arm) among its CPU flags")
                : new Bf16Hardware(true, cpu, String.join(", ", found));
    }

    /** One line for logs and events: "AMD EPYC: avx512_bf16". */
    public String describe() {
        return cpu + ": " + evidence;
    }
}
