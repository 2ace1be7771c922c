package dev.pacer.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.run.MetricsListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command lines for end-to-end runs of the tiny preset on local[2], bound to loopback. */
final class TinyRun {

    private TinyRun() {}

    static String[] pretrain(Path runDir, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "pretrain",
                "--run-dir",
                runDir.toString(),
                "--master",
                "local[2]",
                "--set",
                "pacer.model.preset=tiny",
                "--set",
                "pacer.train.seq-len=32",
                "--set",
                "pacer.train.global-batch=4",
                "--set",
                "pacer.train.micro-batch=2",
                "--set",
                "pacer.train.eval-every=3",
                "--set",
                "pacer.train.eval-sequences=8",
                "--set",
                "pacer.checkpoint.every=3",
                "--set",
                "pacer.data.max-documents=3000",
                "--set",
                "pacer.spark.partitions=2",
                "--set",
                "pacer.spark.conf.spark.ui.enabled=false",
                "--set",
                "pacer.spark.conf.spark.driver.host=127.0.0.1",
                "--set",
                "pacer.spark.conf.spark.driver.bindAddress=127.0.0.1"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    /** {@code prepare} of the first 3,000 bundled documents into 2 shards of 32-token sequences on local[2]. */
    static String[] prepare(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "prepare",
                "--output",
                out.toString(),
                "--master",
                "local[2]",
                "--set",
                "pacer.data.max-documents=3000",
                "--set",
                "pacer.data.shards=2",
                "--set",
                "pacer.train.seq-len=32",
                "--set",
                "pacer.spark.conf.spark.ui.enabled=false",
                "--set",
                "pacer.spark.conf.spark.driver.host=127.0.0.1",
                "--set",
                "pacer.spark.conf.spark.driver.bindAddress=127.0.0.1"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** An application's session: local[2], bound to loopback, no UI. */
    static org.apache.spark.sql.SparkSession session(String app) {
        return org.apache.spark.sql.SparkSession.builder()
                .master("local[2]")
                .appName(app)
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }

    /** A run's metric rows without the wall-clock fields: what must repeat exactly. */
    static List<ObjectNode> deterministicRows(Path run) throws IOException {
        List<ObjectNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            ObjectNode row = (ObjectNode) JSON.readTree(line);
            row.remove(MetricsListener.TIMING_FIELDS);
            rows.add(row);
        }
        return rows;
    }

    /** A run's events rows, in order. */
    static List<JsonNode> events(Path run) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("events.jsonl"))) {
            rows.add(JSON.readTree(line));
        }
        return rows;
    }
}
