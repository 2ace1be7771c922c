package dev.pacer.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.cli.PacerCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;

/** A local[2] session bound to loopback for a test class, and the command line run inside it. */
public final class LocalSpark {

    private LocalSpark() {}

    /** A session with its catalog's warehouse in {@code warehouse} (tables saved there vanish with it). */
    public static SparkSession start(String name, Path warehouse) {
        return SparkSession.builder()
                .master("local[2]")
                .appName(name)
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.sql.warehouse.dir", warehouse.toUri().toString())
                .getOrCreate();
    }

    /** A command line's exit code and what it printed. */
    public record Run(int code, String out, String err) {}

    /** Runs {@code args} through {@link PacerCli}, in the running session, capturing both streams. */
    public static synchronized Run cli(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream before = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int code = PacerCli.run(new PrintWriter(err, true), args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(before);
        }
    }

    /** Counts the Spark jobs a session starts. */
    public static final class JobCounter extends SparkListener {
        private static final String PROBE = "job-counter-probe-";
        private final AtomicInteger started = new AtomicInteger();
        private final Set<String> probes = ConcurrentHashMap.newKeySet();
        private final SparkSession spark;

        public JobCounter(SparkSession spark) {
            this.spark = spark;
            spark.sparkContext().addSparkListener(this);
        }

        @Override
        public void onJobStart(SparkListenerJobStart e) {
            String group = e.properties() == null ? null : e.properties().getProperty("spark.jobGroup.id");
            if (group != null && group.startsWith(PROBE)) {
                probes.add(group);
            } else {
                started.incrementAndGet();
            }
        }

        /**
         * Jobs started so far. Listener events arrive in order but late: a probe job of our own,
         * awaited here, proves every earlier job's start has been counted.
         */
        public int count() throws InterruptedException {
            String probe = PROBE + UUID.randomUUID();
            spark.sparkContext().setJobGroup(probe, "job counter probe", false);
            try {
                spark.range(1).count();
            } finally {
                spark.sparkContext().clearJobGroup();
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!probes.contains(probe) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            return started.get();
        }
    }

    /** The manifest's shard SHA-256s in order: equal lists mean byte-identical datasets. */
    public static List<String> shardDigests(Path dataset) throws IOException {
        JsonNode m = new ObjectMapper().readTree(Files.readAllBytes(dataset.resolve("manifest.json")));
        List<String> out = new ArrayList<>();
        m.path("shards").forEach(s -> out.add(s.path("sha256").asText()));
        return out;
    }
}
