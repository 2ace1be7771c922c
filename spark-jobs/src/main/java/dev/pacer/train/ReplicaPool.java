package dev.pacer.train;

import ai.djl.Device;
import dev.pacer.engine.Compute;
import dev.pacer.engine.Precision;
import dev.pacer.engine.Replica;
import dev.pacer.model.GptConfig;
import dev.pacer.model.ParameterLayout;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Model replicas kept per executor JVM and reused across steps: building one allocates its
 * weight buffer and mask once. A task borrows one for its duration; concurrent tasks get
 * different replicas. Replicas are kept per model, device, kind of compute and precision, so tasks on
 * different GPUs of one executor never share one.
 */
final class ReplicaPool {

    private record Key(GptConfig config, Device device, Compute compute, Precision precision) {}

    /** A borrowed replica; closing the lease returns it to the pool. */
    record Lease(Key key, Replica replica) implements AutoCloseable {
        @Override
        public void close() {
            IDLE.get(key).addFirst(replica);
        }
    }

    private static final Map<Key, ConcurrentLinkedDeque<Replica>> IDLE = new ConcurrentHashMap<>();

    private ReplicaPool() {}

    static Lease borrow(GptConfig config, Device device, Compute compute, Precision precision) {
        Key key = new Key(config, device, compute, precision);
        Replica r =
                IDLE.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>()).pollFirst();
        return new Lease(key, r != null ? r : compute.newReplica(new ParameterLayout(config), device, precision));
    }
}
