package dev.pacer.fuzz;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Runs a fixed number of seeded cases of one input format through its reader. Every case must
 * end in a clean refusal (one of the format's refusal exceptions, with a one-line message) or be
 * read (records it skipped are counted, as the reader counts them); anything else is a crash:
 * another exception or error, or memory allocated far beyond the input's size (a length field
 * trusted before it was checked). Prints one summary line per format to the test's output.
 */
public final class Fuzz {

    /** Reads one input; returns what it skipped and counted (records, checkpoints; 0 when none). */
    public interface Target<T> {
        long read(T input) throws Exception;
    }

    /** What a format's cases did. */
    public record Summary(String format, int cases, int refused, int read, long skipped, List<String> crashes) {

        public String line() {
            return String.format(
                    "fuzz %s: %d cases, %d refused cleanly, %d read (%d skipped and counted), %d crashes",
                    format, cases, refused, read, skipped, crashes.size());
        }
    }

    /** Allocation allowed per case beyond what the input's size explains. */
    private static final long ALLOCATION_SLACK = 64L << 20;

    private Fuzz() {}

    /**
     * @param inputs the case generator (see {@link #mix})
     * @param refusals the exception types that are clean refusals of this format
     */
    @SafeVarargs
    public static Summary run(
            String format,
            long seed,
            int cases,
            Function<Mutator, byte[]> inputs,
            Target<byte[]> target,
            Class<? extends Throwable>... refusals) {
        return run(format, seed, cases, ALLOCATION_SLACK, inputs, target, refusals);
    }

    /**
     * As {@link #run(String, long, int, Function, Target, Class[])} with another allocation
     * bound: the bound counts this thread's allocations only, so a target whose reading runs on
     * other threads (Spark's) passes {@code Long.MAX_VALUE} rather than be charged for query
     * planning.
     */
    @SafeVarargs
    public static Summary run(
            String format,
            long seed,
            int cases,
            long allocationSlack,
            Function<Mutator, byte[]> inputs,
            Target<byte[]> target,
            Class<? extends Throwable>... refusals) {
        return cases(format, seed, cases, allocationSlack, inputs, b -> b.length, target, refusals);
    }

    /**
     * Cases of any kind (a command line, a set of settings): {@code size} is what the allocation
     * bound allows 64 bytes per.
     */
    @SafeVarargs
    public static <T> Summary cases(
            String format,
            long seed,
            int cases,
            long allocationSlack,
            Function<Mutator, T> inputs,
            ToIntFunction<T> size,
            Target<T> target,
            Class<? extends Throwable>... refusals) {
        Mutator m = new Mutator(new Random(seed));
        int refused = 0;
        int read = 0;
        long skipped = 0;
        List<String> crashes = new ArrayList<>();
        for (int i = 0; i < cases; i++) {
            T input = inputs.apply(m);
            long before = allocatedBytes();
            try {
                skipped += target.read(input);
                read++;
            } catch (Throwable t) {
                if (isCleanRefusal(t, refusals)) {
                    refused++;
                } else {
                    crashes.add("case " + i + " (" + describeInput(input) + "): " + describe(t));
                }
            }
            long allocated = allocatedBytes() - before;
            if (allocated - 64L * size.applyAsInt(input) > allocationSlack) {
                crashes.add(
                        "case " + i + ": allocated " + allocated + " bytes for an input of " + size.applyAsInt(input));
            }
        }
        Summary s = new Summary(format, cases, refused, read, skipped, List.copyOf(crashes));
        System.out.println(s.line());
        crashes.forEach(c -> System.out.println("  crash: " + c));
        return s;
    }

    private static String describeInput(Object input) {
        if (input instanceof byte[] b) {
            return b.length + " bytes";
        }
        String s = input instanceof Object[] a ? Arrays.toString(a) : String.valueOf(input);
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    /**
     * A generator mixing random bytes (one case in eight), cuts of a seed (one in eight) and
     * mutations of a seed: for JSON formats, tree mutations half the time.
     */
    public static Function<Mutator, byte[]> mix(List<byte[]> seeds, boolean json) {
        int max = seeds.stream().mapToInt(b -> b.length).max().orElse(256);
        return m -> {
            int pick = m.random().nextInt(8);
            byte[] seed = seeds.get(m.random().nextInt(seeds.size()));
            if (pick == 0) {
                return m.randomBytes(Math.max(256, 2 * max));
            }
            if (pick == 1) {
                return Arrays.copyOf(seed, m.random().nextInt(seed.length + 1));
            }
            return json && m.random().nextBoolean() ? m.mutateJson(seed) : m.mutate(seed);
        };
    }

    private static boolean isCleanRefusal(Throwable t, Class<? extends Throwable>[] refusals) {
        String msg = t.getMessage();
        if (msg == null || msg.isBlank() || msg.contains("\n")) {
            return false;
        }
        for (Class<? extends Throwable> c : refusals) {
            if (c.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable t) {
        StackTraceElement at = Arrays.stream(t.getStackTrace())
                .filter(e -> e.getClassName().startsWith("dev.pacer."))
                .findFirst()
                .orElse(t.getStackTrace().length > 0 ? t.getStackTrace()[0] : null);
        String m = String.valueOf(t.getMessage()).lines().findFirst().orElse("");
        return t.getClass().getName() + ": " + m + (at == null ? "" : " at " + at);
    }

    private static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean hotspot
                && hotspot.isThreadAllocatedMemorySupported()) {
            return hotspot.getCurrentThreadAllocatedBytes();
        }
        return 0;
    }
}
