package dev.pacer.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.function.Consumer;

/**
 * Splits a step's slices into contiguous element ranges of about equal size and runs an
 * elementwise update on them in parallel. A slice may be cut in the middle (its name, rate and
 * decay go with both parts; its shape does not, which an elementwise update never reads). The
 * pools are shared per thread count and made of daemon threads, so an idle run holds no worker.
 */
final class ElementRanges {

    /** Below this many elements a step runs on the calling thread alone: forking costs more. */
    static final int MIN_PARALLEL_ELEMENTS = 1 << 16;

    private static final ConcurrentHashMap<Integer, ForkJoinPool> POOLS = new ConcurrentHashMap<>();

    private ElementRanges() {}

    static void inParallel(List<ParamSlice> slices, int threads, Consumer<List<ParamSlice>> update) {
        List<List<ParamSlice>> parts = split(slices, threads);
        if (parts.size() < 2) {
            update.accept(slices);
            return;
        }
        ForkJoinPool pool = POOLS.computeIfAbsent(threads, ElementRanges::newPool);
        List<ForkJoinTask<?>> tasks = new ArrayList<>();
        for (List<ParamSlice> part : parts.subList(1, parts.size())) {
            tasks.add(pool.submit(() -> update.accept(part)));
        }
        update.accept(parts.get(0));
        for (ForkJoinTask<?> task : tasks) {
            task.join();
        }
    }

    /** The slices cut into at most {@code n} parts of about equal element counts, in order. */
    static List<List<ParamSlice>> split(List<ParamSlice> slices, int n) {
        long total = 0;
        for (ParamSlice s : slices) {
            total += s.length();
        }
        List<List<ParamSlice>> parts = new ArrayList<>();
        if (n < 2 || total < MIN_PARALLEL_ELEMENTS) {
            parts.add(slices);
            return parts;
        }
        long share = (total + n - 1) / n;
        List<ParamSlice> current = new ArrayList<>();
        long room = share;
        for (ParamSlice s : slices) {
            int offset = s.offset();
            int left = s.length();
            while (left > 0) {
                int take = (int) Math.min(left, room);
                current.add(new ParamSlice(s.name(), offset, take, s.lr(), s.weightDecay(), null));
                offset += take;
                left -= take;
                room -= take;
                if (room == 0) {
                    parts.add(current);
                    current = new ArrayList<>();
                    room = share;
                }
            }
        }
        if (!current.isEmpty()) {
            parts.add(current);
        }
        return parts;
    }

    private static ForkJoinPool newPool(int threads) {
        return new ForkJoinPool(
                threads,
                pool -> {
                    var worker = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                    worker.setDaemon(true);
                    worker.setName("pacer-optimizer-" + worker.getPoolIndex());
                    return worker;
                },
                null,
                false);
    }
}
