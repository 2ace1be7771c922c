package dev.pacer.train.sharded;

import dev.pacer.data.CorpusPartition;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** {@link Ranks} in this JVM, without Spark: every rank's task in turn, on in-memory data. */
public final class LocalRanks implements Ranks {

    private final List<CorpusPartition> data;
    private final boolean piecesInMemory;
    private java.util.concurrent.ExecutorService pool;

    public LocalRanks(List<CorpusPartition> data) {
        this(data, true);
    }

    /** With {@code piecesInMemory} false, every gradient piece and weight shard goes through a block, as between executors. */
    public LocalRanks(List<CorpusPartition> data, boolean piecesInMemory) {
        this.data = List.copyOf(data);
        this.piecesInMemory = piecesInMemory;
    }

    @Override
    public boolean piecesInMemory() {
        return piecesInMemory;
    }

    @Override
    public boolean oneJvm() {
        return piecesInMemory;
    }

    @Override
    public <R extends Serializable> List<R> run(String label, Task<R> task) {
        List<R> out = new ArrayList<>();
        for (int p = 0; p < data.size(); p++) {
            out.add(task.run(p, data.get(p)));
        }
        return out;
    }

    /** Every rank's task on its own thread; when one fails, the others are interrupted. */
    @Override
    public <R extends Serializable> List<R> runTogether(String label, Task<R> task) {
        int n = data.size();
        java.util.concurrent.ExecutorService pool = pool();
        java.util.concurrent.ExecutorCompletionService<R> done =
                new java.util.concurrent.ExecutorCompletionService<>(pool);
        try {
            List<java.util.concurrent.Future<R>> futures = new ArrayList<>();
            for (int p = 0; p < n; p++) {
                int rank = p;
                futures.add(done.submit(() -> task.run(rank, data.get(rank))));
            }
            for (int k = 0; k < n; k++) {
                java.util.concurrent.Future<R> f = done.take();
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    // the first failure: the others may be waiting for what the failed rank never put;
                    // their threads go with the pool, so the next job never queues behind one of them
                    futures.forEach(other -> other.cancel(true));
                    dropPool(pool);
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(label + ": " + e.getCause(), e.getCause());
                }
            }
            List<R> out = new ArrayList<>();
            for (java.util.concurrent.Future<R> f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            dropPool(pool);
            Thread.currentThread().interrupt();
            throw new IllegalStateException(label + ": interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(label + ": " + e.getCause(), e.getCause());
        }
    }

    /**
     * One thread per rank, made on the first {@link #runTogether} and kept for the next ones (a new
     * one after a failed job); idle threads end after a few seconds, so a finished run holds none.
     */
    private synchronized void dropPool(java.util.concurrent.ExecutorService failed) {
        failed.shutdownNow();
        if (pool == failed) {
            pool = null;
        }
    }

    private synchronized java.util.concurrent.ExecutorService pool() {
        if (pool == null) {
            java.util.concurrent.ThreadPoolExecutor p = new java.util.concurrent.ThreadPoolExecutor(
                    data.size(),
                    data.size(),
                    5,
                    java.util.concurrent.TimeUnit.SECONDS,
                    new java.util.concurrent.LinkedBlockingQueue<>(),
                    r -> {
                        Thread t = new Thread(r, "pacer-local-rank");
                        t.setDaemon(true);
                        return t;
                    });
            p.allowCoreThreadTimeOut(true);
            pool = p;
        }
        return pool;
    }

    @Override
    public int count() {
        return data.size();
    }
}
