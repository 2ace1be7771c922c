package dev.pacer.engine;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * libtorch's intra-op thread pool is per process. Concurrent Spark tasks in one executor each
 * use the pool, so it must hold {@code executor cores / concurrent tasks} threads; the default
 * (all cores) oversubscribes and doubled step time in measurements (shared/notes/engine.md).
 * Set once per JVM, before the first operation.
 */
public final class EngineThreads {

    private static final AtomicInteger configured = new AtomicInteger(0);

    private EngineThreads() {}

    /** Threads each task should use: cores shared evenly among the tasks that run at once. */
    public static int perTask(int executorCores, int concurrentTasks) {
        if (executorCores <= 0 || concurrentTasks <= 0) {
            throw new IllegalArgumentException("executor cores and concurrent tasks must be > 0, got "
                    + executorCores + " and " + concurrentTasks);
        }
        return Math.max(1, executorCores / concurrentTasks);
    }

    /**
     * Sets the intra-op threads for this JVM the first time it is called and returns the count in
     * force; later calls with another count keep the first (the pool cannot be resized safely
     * while other tasks run).
     */
    public static int configure(int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be > 0, got " + threads);
        }
        if (configured.compareAndSet(0, threads)) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
            Engine.getEngine("PyTorch"); // loads libtorch, which reads the properties above
            JniUtils.setNumThreads(threads);
        }
        return configured.get();
    }
}
