package dev.pacer.engine;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * libtorch's intra-op thread pool is per process. Concurrent Spark tasks in one executor each
 * use the pool, so it must hold {@code executor cores / concurrent tasks} threads; the default
 * (all cores) oversubscribes and doubled step time in measurements (docs/design.md section 7).
 * Set once per JVM, before the first operation.
 */
public final class EngineThreads {

    private static final AtomicInteger configured = new AtomicInteger(0);

    /**
     * libtorch keeps MKL's thread count per thread ({@code mkl_set_num_threads_local}) and OpenMP's
     * per thread too, so a Spark task thread that never set them could run a kernel with the
     * default (all cores) and sum in another order: each thread applies the JVM's count once.
     */
    private static final ThreadLocal<Boolean> appliedHere = ThreadLocal.withInitial(() -> false);

    private EngineThreads() {}

    /** Threads each task should use: cores shared evenly among the tasks that run at once. */
    public static int perTask(int executorCores, int concurrentTasks) {
        if (executorCores <= 0 || concurrentTasks <= 0) {
            throw new IllegalArgumentException("executor cores and concurrent tasks must be > 0, got " + executorCores
                    + " and " + concurrentTasks);
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
        if (configured.get() == 0) {
            synchronized (EngineThreads.class) {
                // the count is published only once libtorch has loaded with it, so no other task
                // thread can touch the engine before the properties are in place
                if (configured.get() == 0) {
                    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
                    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
                    Engine.getEngine("PyTorch"); // loads libtorch, which reads the properties above
                    configured.set(threads);
                }
            }
        }
        if (!appliedHere.get()) {
            JniUtils.setNumThreads(configured.get());
            appliedHere.set(true);
        }
        return configured.get();
    }
}
