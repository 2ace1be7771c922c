package dev.pacer.train.sharded;

import dev.pacer.data.CorpusPartition;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** {@link Ranks} in this JVM, without Spark: every rank's task in turn, on in-memory data. */
public final class LocalRanks implements Ranks {

    private final List<CorpusPartition> data;
    private final boolean piecesInMemory;

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
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "pacer-local-rank");
            t.setDaemon(true);
            return t;
        });
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
                    // the first failure: the others may be waiting for what the failed rank never put
                    futures.forEach(other -> other.cancel(true));
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
            Thread.currentThread().interrupt();
            throw new IllegalStateException(label + ": interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(label + ": " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    @Override
    public int count() {
        return data.size();
    }
}
