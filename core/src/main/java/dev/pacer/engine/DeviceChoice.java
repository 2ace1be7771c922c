package dev.pacer.engine;

import dev.pacer.config.ConfigError;
import java.util.List;
import java.util.Locale;

/**
 * Which device a task's model replica runs on, decided from plain inputs: the setting
 * {@code pacer.engine.device}, the GPU addresses Spark assigned to the task (its {@code gpu}
 * resource, from {@code spark.task.resource.gpu.amount} and the executor's discovery script) and
 * the number of CUDA devices libtorch sees. No Spark and no libtorch here, so every case is
 * tested on a machine without a GPU.
 *
 * <p>Spark's addresses are what the discovery script printed on the executor's node; inside a
 * container with GPU isolation (YARN, Kubernetes device plugin) the script sees the same
 * renumbered devices libtorch does, so an address is a CUDA device index.
 *
 * @param gpu CUDA device index, or -1 for the CPU
 * @param reason one line saying why, for the executor log
 */
public record DeviceChoice(int gpu, String reason) {

    /** The config key this class decides from. */
    public static final String KEY = "pacer.engine.device";

    /** Values of {@value #KEY}. */
    public enum Setting {
        /** The GPU Spark assigned to the task; CPU when none is assigned or libtorch sees none. */
        AUTO,
        /** Always the CPU. */
        CPU,
        /** A GPU or a failed task: the assigned one, else device 0 (no resource scheduling). */
        GPU;

        /** Parses a setting value; anything else is a one-line {@link ConfigError} naming the key. */
        public static Setting parse(String value) {
            String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "auto" -> AUTO;
                case "cpu" -> CPU;
                case "gpu" -> GPU;
                default -> throw new ConfigError(KEY + " = \"" + value + "\": expected one of auto, cpu, gpu");
            };
        }
    }

    public static DeviceChoice cpu(String reason) {
        return new DeviceChoice(-1, reason);
    }

    public boolean isGpu() {
        return gpu >= 0;
    }

    /** {@code cpu} or {@code gpu(N)}, as DJL names devices. */
    public String device() {
        return isGpu() ? "gpu(" + gpu + ")" : "cpu";
    }

    /**
     * Decides the device of one task.
     *
     * @param setting the value of {@value #KEY}
     * @param assigned the task's {@code gpu} resource addresses (empty when Spark assigned none)
     * @param visibleGpus CUDA devices libtorch reports (0 with CPU-only natives or no driver)
     * @throws IllegalStateException when the setting is {@code gpu} and no usable GPU exists
     */
    public static DeviceChoice choose(Setting setting, List<String> assigned, int visibleGpus) {
        if (visibleGpus < 0) {
            throw new IllegalArgumentException("visible GPU count must be >= 0, got " + visibleGpus);
        }
        if (setting == Setting.CPU) {
            return cpu(KEY + " = cpu");
        }
        boolean required = setting == Setting.GPU;
        if (visibleGpus == 0) {
            String why = "libtorch sees no CUDA device (CPU-only natives on the classpath, or no NVIDIA driver"
                    + " in the container; see docs/clusters.md, GPU executors)";
            if (required) {
                throw new IllegalStateException(
                        KEY + " = gpu, but " + why + "; set " + KEY + " = auto to fall back to the CPU");
            }
            return cpu(
                    assigned.isEmpty()
                            ? "no GPU resource assigned to the task, and " + why
                            : "Spark assigned GPU " + assigned + ", but " + why);
        }
        if (assigned.isEmpty()) {
            if (required) {
                return new DeviceChoice(
                        0,
                        "no GPU resource assigned to the task (spark.task.resource.gpu.amount" + " unset); " + KEY
                                + " = gpu uses CUDA device 0 of " + visibleGpus);
            }
            return cpu("no GPU resource assigned to the task (spark.task.resource.gpu.amount unset); " + visibleGpus
                    + " CUDA device(s) visible: assign them through Spark or set " + KEY + " = gpu");
        }
        String address = assigned.get(0).trim();
        int index;
        try {
            index = Integer.parseInt(address);
        } catch (NumberFormatException e) {
            index = -1;
        }
        String problem = null;
        if (index < 0) {
            problem = "Spark assigned GPU address '" + address + "', which is not a CUDA device index; the"
                    + " discovery script must print indices (bin/gpu-discovery.sh does)";
        } else if (index >= visibleGpus) {
            problem = "Spark assigned GPU " + index + ", but libtorch sees only " + visibleGpus
                    + " CUDA device(s) (indices 0-" + (visibleGpus - 1) + "): the discovery script and"
                    + " CUDA_VISIBLE_DEVICES disagree";
        }
        if (problem != null) {
            if (required) {
                throw new IllegalStateException(KEY + " = gpu, but " + problem);
            }
            return cpu(problem);
        }
        String reason = "Spark assigned GPU " + index;
        if (assigned.size() > 1) {
            reason += "; the other assigned addresses " + assigned.subList(1, assigned.size())
                    + " stay idle (one device per task: lower spark.task.resource.gpu.amount to 1)";
        }
        return new DeviceChoice(index, reason);
    }
}
