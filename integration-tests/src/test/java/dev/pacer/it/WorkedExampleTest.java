package dev.pacer.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.api.PretrainResult;
import dev.pacer.cli.PacerCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    @TempDir
    Path tmp;

    @Test
    void theDocumentedApplicationRunsAndMatchesTheCommandLine() throws Exception {
        Path dataset = tmp.resolve("dataset");
        Path apiRun = tmp.resolve("api-run");
        SparkSession spark = TinyRun.session("worked-example");
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
                0, PacerCli.run(TinyRun.pretrain(cliRun, "--max-steps", "6", "--set", "pacer.data.path=" + dataset)));
        assertEquals(TinyRun.deterministicRows(cliRun), TinyRun.deterministicRows(apiRun));
        assertEquals(6, TinyRun.deterministicRows(apiRun).size());
        assertArrayEquals(
                Files.readAllBytes(cliRun.resolve("checkpoints/step-0000006/model.safetensors")),
                Files.readAllBytes(apiRun.resolve("checkpoints/step-0000006/model.safetensors")));
        for (String f : List.of("events.jsonl", "config.json", "report/report.html")) {
            assertTrue(Files.exists(apiRun.resolve(f)), f);
        }
    }

    @Test
    void theDocsShowTheExampleAsItIsTested() throws IOException {
        Path source = Path.of("src/test/java/dev/pacer/it/DocumentsToModel.java");
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
}
