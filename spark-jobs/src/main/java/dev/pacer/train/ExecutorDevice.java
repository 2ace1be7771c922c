package dev.pacer.train;

import ai.djl.engine.Engine;
import dev.pacer.engine.DeviceChoice;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds {@link DeviceChoice} on an executor: the running task's {@code gpu} resource addresses
 * and the CUDA devices libtorch sees. Each distinct decision is logged once per JVM.
 */
final class ExecutorDevice {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorDevice.class);
    private static final Set<DeviceChoice> LOGGED = ConcurrentHashMap.newKeySet();
    private static volatile Integer visibleGpus;

    private ExecutorDevice() {}

    /** The device for the current task (no task, e.g. the plain benchmark loop: none assigned). */
    static DeviceChoice choose(DeviceChoice.Setting setting) {
        DeviceChoice choice =
                DeviceChoice.choose(setting, assignedGpus(), setting == DeviceChoice.Setting.CPU ? 0 : visibleGpus());
        if (LOGGED.add(choice)) {
            boolean fellBack = !choice.isGpu()
                    && setting != DeviceChoice.Setting.CPU
                    && !assignedGpus().isEmpty();
            if (fellBack) {
                LOG.warn("training tasks run on {}: {}", choice.device(), choice.reason());
            } else {
                LOG.info("training tasks run on {}: {}", choice.device(), choice.reason());
            }
        }
        return choice;
    }

    private static List<String> assignedGpus() {
        TaskContext task = TaskContext.get();
        if (task == null) {
            return List.of();
        }
        ResourceInformation gpu = task.resourcesJMap().get("gpu");
        return gpu == null ? List.of() : Arrays.asList(gpu.addresses());
    }

    private static int visibleGpus() {
        Integer n = visibleGpus;
        if (n == null) {
            // 0 unless libtorch was built with CUDA and a device is present
            n = Engine.getEngine("PyTorch").getGpuCount();
            visibleGpus = n;
        }
        return n;
    }
}
