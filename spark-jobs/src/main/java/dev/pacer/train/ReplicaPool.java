package dev.pacer.train;

import ai.djl.Device;
import dev.pacer.engine.ModelReplica;
import dev.pacer.model.GptConfig;
import dev.pacer.model.ParameterLayout;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Model replicas kept per executor JVM and reused across steps: building one allocates its
 * weight buffer and mask once. A task borrows one for its duration; concurrent tasks get
 * different replicas. Replicas are kept per model and device, so tasks on different GPUs of one
 * executor never share one.
 */
final class ReplicaPool {

    private record Key(GptConfig config, Device device) {}

    private static final Map<Key, ConcurrentLinkedDeque<ModelReplica>> IDLE = new ConcurrentHashMap<>();

    private ReplicaPool() {}

    static ModelReplica borrow(GptConfig config, Device device) {
        ModelReplica r = IDLE.computeIfAbsent(new Key(config, device), k -> new ConcurrentLinkedDeque<>())
                .pollFirst();
        return r != null ? r : new ModelReplica(new ParameterLayout(config), device);
    }

    static void release(ModelReplica replica) {
        IDLE.get(new Key(replica.layout().config(), replica.device())).addFirst(replica);
    }
}
