package dev.pacer.train;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes the driver sends to executors, counted for benchmarks: every job's task binary (its
 * closure and the lineage of the RDD it runs on, as Spark serializes them, with Java
 * serialization) times its tasks, and every broadcast. Off unless
 * a benchmark turns it on; task results coming back are Spark's own {@code resultSize} metric.
 */
public final class DriverTraffic {

    private static volatile boolean counting;
    private static final AtomicLong OUT = new AtomicLong();

    private DriverTraffic() {}

    public static void start() {
        OUT.set(0);
        counting = true;
    }

    /** Stops counting; returns the bytes sent since {@link #start}. */
    public static long stop() {
        counting = false;
        return OUT.get();
    }

    /**
     * Counts one job on {@code rdd}: its task binary (the RDD's lineage with {@code closure}, what
     * Spark serializes once per job and every executor fetches) and each task's own description,
     * counted as one binary per task: the most any cluster layout sends.
     */
    public static void job(Object closure, org.apache.spark.api.java.JavaRDD<?> rdd) {
        if (counting) {
            OUT.addAndGet((long) (serializedSize(closure) + serializedSize(rdd.rdd())) * rdd.getNumPartitions());
        }
    }

    /** Counts a broadcast of {@code value}, serialized. */
    public static void broadcastOf(Object value) {
        if (counting) {
            OUT.addAndGet(serializedSize(value));
        }
    }

    /** Counts a broadcast of {@code bytes} bytes. */
    static void broadcast(long bytes) {
        if (counting) {
            OUT.addAndGet(bytes);
        }
    }

    private static int serializedSize(Object o) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.size();
    }
}
