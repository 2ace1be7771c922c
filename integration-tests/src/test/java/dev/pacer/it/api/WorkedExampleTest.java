package dev.pacer.it.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.api.PretrainResult;
import dev.pacer.cli.PacerCli;
import dev.pacer.run.MetricsListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worked example of docs/data-engineers.md ({@link DocumentsToModel}) runs as printed: an
 * application builds a DataFrame, prepares it and trains the tiny preset for 6 steps in its own
 * session, which stays usable; the run's outputs equal those of {@code bin/pacer pretrain} with
 * the same settings on the same dataset; a second call resumes and finds the run complete.
 */
class WorkedExampleTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void theDocumentedApplicationRunsAndMatchesTheCommandLine() throws Exception {
        Path dataset = tmp.resolve("dataset");
        Path apiRun = tmp.resolve("api-run");
        SparkSession spark = SparkSession.builder()
                .master("local[2]")
                .appName("worked-example")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
        try {
            PretrainResult r = DocumentsToModel.run(spark, dataset.toString(), apiRun.toString());
            assertTrue(r.finished() && !r.alreadyComplete());
            assertEquals(6, r.step());
            assertEquals(6 * 4 * 32, r.tokens());
            assertTrue(Files.exists(Path.of(java.net.URI.create(r.report()))), r.report());
            assertEquals(1, spark.range(3).where("id = 1").count(), "the application's session was stopped");
            PretrainResult again = DocumentsToModel.run(spark, dataset.toString(), apiRun.toString());
            assertTrue(again.alreadyComplete());
            assertEquals(r.finalValidationLoss(), again.finalValidationLoss());
        } finally {
            spark.stop();
        }

        // the command line on the same dataset with the same settings trains identically
        Path cliRun = tmp.resolve("cli-run");
        assertEquals(
                0,
                PacerCli.run(
                        "pretrain",
                        "--run-dir",
                        cliRun.toString(),
                        "--master",
                        "local[2]",
                        "--set",
                        "pacer.model.preset=tiny",
                        "--set",
                        "pacer.data.path=" + dataset,
                        "--set",
                        "pacer.train.seq-len=32",
                        "--set",
                        "pacer.train.global-batch=4",
                        "--set",
                        "pacer.train.micro-batch=2",
                        "--set",
                        "pacer.train.max-steps=6",
                        "--set",
                        "pacer.train.eval-every=3",
                        "--set",
                        "pacer.train.eval-sequences=8",
                        "--set",
                        "pacer.spark.conf.spark.ui.enabled=false",
                        "--set",
                        "pacer.spark.conf.spark.driver.host=127.0.0.1",
                        "--set",
                        "pacer.spark.conf.spark.driver.bindAddress=127.0.0.1"));
        assertEquals(rows(cliRun), rows(apiRun));
        assertEquals(6, rows(apiRun).size());
        assertArrayEquals(
                Files.readAllBytes(cliRun.resolve("checkpoints/step-0000006/model.safetensors")),
                Files.readAllBytes(apiRun.resolve("checkpoints/step-0000006/model.safetensors")));
        for (String f : List.of("events.jsonl", "config.json", "report/report.html")) {
            assertTrue(Files.exists(apiRun.resolve(f)), f);
        }
    }

    @Test
    void theDocsShowTheExampleAsItIsTested() throws IOException {
        Path source = Path.of("src/test/java/dev/pacer/it/api/DocumentsToModel.java");
        List<String> lines = Files.readAllLines(source);
        int from = 0;
        while (!lines.get(from).startsWith("// docs/data-engineers.md shows")) {
            from++;
        }
        String example = String.join("\n", lines.subList(from + 1, lines.size()));
        String doc = Files.readString(Path.of("../docs/data-engineers.md"));
        assertTrue(
                doc.contains("```java\n" + example + "\n```"),
                "docs/data-engineers.md must show DocumentsToModel.java from its imports to its end, verbatim");
        assertFalse(example.isBlank());
    }

    private static List<ObjectNode> rows(Path run) throws IOException {
        List<ObjectNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            ObjectNode row = (ObjectNode) JSON.readTree(line);
            row.remove(MetricsListener.TIMING_FIELDS);
            rows.add(row);
        }
        return rows;
    }
}
