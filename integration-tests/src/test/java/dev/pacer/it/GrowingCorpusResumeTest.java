package dev.pacer.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.api.CorpusPreparation;
import dev.pacer.api.PacerConfig;
import dev.pacer.api.PretrainResult;
import dev.pacer.api.Pretraining;
import dev.pacer.config.ConfigError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact resume on a dataset that grows (docs/data-engineers.md, "A corpus that grows"): a run
 * stopped at step 3 on version 1 and resumed after version 2 appeared trains on versions 1-2 from
 * step 3 on, records the switch as a {@code data_version} event and in its checkpoints, and does
 * so deterministically; pinned to version 1, or resumed on the version it trained on, it
 * continues bit for bit as if it had never stopped. All runs share one local[2] session.
 */
class GrowingCorpusResumeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = TinyRun.session("growing-corpus-resume");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static Dataset<Row> documents(long from, long to, String topic) {
        return spark.range(from, to)
                .selectExpr(
                        "id",
                        "concat('" + topic + " ', id, ': the members discussed item ', id * 13,"
                                + " ' at length, and ', repeat('then again ', cast(id % 5 AS INT)), 'voted.') AS text")
                .orderBy("id");
    }

    private static void append(Path dataset, Dataset<Row> docs) throws IOException {
        CorpusPreparation.fromDataFrame(docs, "text")
                .idColumn("id")
                .config(PacerConfig.defaults().set("pacer.data.seq-len", 32).set("pacer.data.shards", 2))
                .append()
                .writeTo(dataset.toString());
    }

    private static PretrainResult train(Path run, Path dataset, long stopAfter, String... extra) throws IOException {
        PacerConfig c = PacerConfig.defaults()
                .set("pacer.model.preset", "tiny")
                .set("pacer.data.path", dataset.toString())
                .set("pacer.run.dir", run.toString())
                .set("pacer.train.seq-len", 32)
                .set("pacer.train.global-batch", 4)
                .set("pacer.train.micro-batch", 2)
                .set("pacer.train.max-steps", 6)
                .set("pacer.train.eval-every", 3)
                .set("pacer.train.eval-sequences", 8)
                .set("pacer.checkpoint.every", 3);
        for (int i = 0; i < extra.length; i += 2) {
            c = c.set(extra[i], extra[i + 1]);
        }
        return Pretraining.with(c.settings())
                .inSession(spark)
                .stopAfter(stopAfter)
                .report(false)
                .run();
    }

    @Test
    void aResumeAfterANewVersionSwitchesToItDeterministically() throws Exception {
        Path dataset = tmp.resolve("dataset");
        append(dataset, documents(0, 300, "Session"));
        Path straight = tmp.resolve("straight");
        train(straight, dataset, 0);
        Path stopped = tmp.resolve("stopped");
        assertEquals(3, train(stopped, dataset, 3).step());

        append(dataset, documents(300, 450, "Hearing")); // version 2 arrives overnight
        Path pinned = copy(stopped, "pinned");
        Path twin = copy(stopped, "twin");
        Path paused = copy(stopped, "paused");

        // unpinned: from step 3 on, versions 1 and 2
        assertEquals(6, train(stopped, dataset, 0).step());
        List<ObjectNode> a = TinyRun.deterministicRows(stopped);
        List<ObjectNode> u = TinyRun.deterministicRows(straight);
        assertEquals(u.subList(0, 3), a.subList(0, 3));
        assertFalse(u.get(3).equals(a.get(3)), "step 4 trained on the same batch as without version 2");
        JsonNode event = events(stopped, "data_version").get(0);
        assertEquals(3, event.path("step").asInt());
        assertEquals(1, event.path("from_version").asInt());
        assertEquals(2, event.path("to_version").asInt());
        assertEquals(300, event.path("from_documents").asLong());
        assertEquals(450, event.path("to_documents").asLong());
        assertTrue(event.path("to_train_sequences").asLong()
                > event.path("from_train_sequences").asLong());
        assertEquals(1, state(stopped, 3).path("data_version").asInt());
        assertEquals(2, state(stopped, 6).path("data_version").asInt());
        assertEquals(
                dataset,
                Path.of(java.net.URI.create(state(stopped, 6).path("data_path").asText())));

        // the same switch again gives the same run, bit for bit
        train(twin, dataset, 0);
        assertEquals(a, TinyRun.deterministicRows(twin));
        assertSameWeights(stopped, twin, 6);

        // stopped again after the switch and resumed on the same versions: still the same run
        assertEquals(5, train(paused, dataset, 2).step());
        train(paused, dataset, 0);
        assertEquals(a, TinyRun.deterministicRows(paused));
        assertSameWeights(stopped, paused, 6);
        assertEquals(1, events(paused, "data_version").size());

        // pinned to version 1: as if version 2 had never come
        train(pinned, dataset, 0, "pacer.data.version", "1");
        assertEquals(u, TinyRun.deterministicRows(pinned));
        assertSameWeights(straight, pinned, 6);
        assertTrue(events(pinned, "data_version").isEmpty());

        documentedQueries(stopped);

        // the dataset prepared again from scratch has one version: the run trained on two
        CorpusPreparation.fromDataFrame(documents(0, 300, "Session"), "text")
                .config(PacerConfig.defaults().set("pacer.data.seq-len", 32).set("pacer.data.shards", 2))
                .overwrite()
                .writeTo(dataset.toString());
        ConfigError e = assertThrows(ConfigError.class, () -> train(stopped, dataset, 0));
        assertTrue(
                e.getMessage().contains("trained on version 2")
                        && e.getMessage().contains("only 1"),
                e.getMessage());
    }

    /** The SQL of docs/data-engineers.md, "A run's outputs with Spark SQL", on this run's files. */
    private static void documentedQueries(Path run) throws IOException {
        String doc = Files.readString(Path.of("../docs/data-engineers.md"));
        int at = doc.indexOf("```sql\nCREATE TEMPORARY VIEW metrics");
        String sql = doc.substring(at + "```sql\n".length(), doc.indexOf("```", at + 6))
                .replace(
                        "hdfs:///user/me/pacer/runs/nightly",
                        run.toUri().toString().replaceAll("/$", ""));
        List<List<Row>> results = new ArrayList<>();
        for (String statement : sql.split(";\n")) {
            String code = statement
                    .lines()
                    .filter(l -> !l.startsWith("--"))
                    .collect(java.util.stream.Collectors.joining("\n"))
                    .strip();
            if (!code.isEmpty()) {
                results.add(spark.sql(code).collectAsList());
            }
        }
        assertEquals(5, results.size());
        assertEquals(2, results.get(2).size()); // validation at steps 3 and 6
        assertEquals(6, results.get(2).get(1).getLong(0));
        List<String> invocations =
                results.get(3).stream().map(r -> r.getString(0)).toList();
        assertEquals(List.of("start", "stopped", "resume", "finished"), invocations);
        Row moved = results.get(4).get(0);
        assertEquals(
                List.of(3L, 1L, 2L, 300L, 450L),
                List.of(moved.getLong(0), moved.getLong(1), moved.getLong(2), moved.getLong(3), moved.getLong(4)));
    }

    private static Path copy(Path run, String name) throws IOException {
        Path to = tmp.resolve(name);
        try (Stream<Path> files = Files.walk(run)) {
            for (Path p : files.toList()) {
                Files.copy(p, to.resolve(run.relativize(p).toString()));
            }
        }
        return to;
    }

    private static void assertSameWeights(Path a, Path b, int step) throws IOException {
        String file = String.format("checkpoints/step-%07d/model.safetensors", step);
        assertArrayEquals(Files.readAllBytes(a.resolve(file)), Files.readAllBytes(b.resolve(file)));
    }

    private static JsonNode state(Path run, int step) throws IOException {
        return JSON.readTree(Files.readAllBytes(run.resolve(String.format("checkpoints/step-%07d/state.json", step))));
    }

    private static List<JsonNode> events(Path run, String kind) throws IOException {
        return TinyRun.events(run).stream()
                .filter(e -> kind.equals(e.path("event").asText()))
                .toList();
    }
}
