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
 * different replicas.
 */
final class ReplicaPool {

    private static final Map<GptConfig, ConcurrentLinkedDeque<ModelReplica>> IDLE = new ConcurrentHashMap<>();

    private ReplicaPool() {}

    static ModelReplica borrow(GptConfig config) {
        ModelReplica r = IDLE.computeIfAbsent(config, c -> new ConcurrentLinkedDeque<>()).pollFirst();
        return r != null ? r : new ModelReplica(new ParameterLayout(config), Device.cpu());
    }

    static void release(ModelReplica replica) {
        IDLE.get(replica.layout().config()).addFirst(replica);
    }
}
