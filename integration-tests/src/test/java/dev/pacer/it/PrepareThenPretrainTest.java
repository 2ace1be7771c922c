package dev.pacer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.cli.PacerCli;
import dev.pacer.data.tokenize.TestTokenizers;
import dev.pacer.run.MetricsListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pacer prepare} then {@code pacer pretrain} on local[2] with the tiny preset: the model's
 * vocabulary comes from the dataset's manifest, a prepared byte-level dataset trains exactly like
 * the bundled corpus prepared on the fly, and resuming on data of another vocabulary is refused.
 */
class PrepareThenPretrainTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static String[] prepare(Path out, String... extra) {
        return TinyRun.prepare(out, extra);
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

    private static JsonNode corpusEvent(Path run) throws IOException {
        for (String line : Files.readAllLines(run.resolve("events.jsonl"))) {
            JsonNode e = JSON.readTree(line);
            if ("corpus".equals(e.path("event").asText())) {
                return e;
            }
        }
        throw new AssertionError("no corpus event in " + run);
    }

    @Test
    void bpeDatasetSetsTheVocabularyAndAnotherVocabularyCannotResume() throws IOException {
        Path tok = tmp.resolve("tokenizer.json");
        Files.write(tok, TestTokenizers.bytePairEncoding());
        Path data = tmp.resolve("bpe");
        assertEquals(0, PacerCli.run(prepare(data, "--set", "pacer.data.tokenizer=" + tok)));
        JsonNode manifest = JSON.readTree(Files.readAllBytes(data.resolve("manifest.json")));
        int vocab = manifest.path("tokenizer").path("vocab_size").asInt();
        assertEquals(256 + TestTokenizers.MERGES.size() + 1, vocab);

        Path run = tmp.resolve("run");
        assertEquals(0, PacerCli.run(TinyRun.pretrain(run, "--max-steps", "4", "--set", "pacer.data.path=" + data)));
        List<ObjectNode> rows = rows(run);
        assertEquals(4, rows.size());
        // an untrained model's loss is near ln(vocabulary)
        assertEquals(Math.log(vocab), rows.get(0).get("loss").asDouble(), 0.3);
        JsonNode corpus = corpusEvent(run);
        assertTrue(corpus.path("source").asText().contains(data.getFileName().toString()), corpus.toString());
        assertEquals(
                manifest.path("counts").path("documents_read").asLong(),
                corpus.path("documents_read").asLong());

        // the same run directory on the byte-level bundled corpus: refused before Spark, one line
        StringWriter err = new StringWriter();
        int code = PacerCli.run(new PrintWriter(err, true), TinyRun.pretrain(run, "--max-steps", "6"));
        assertEquals(2, code);
        assertTrue(
                err.toString().contains("vocabulary mismatch") && err.toString().contains(vocab + "-token"),
                err.toString());
    }

    @Test
    void preparedByteDatasetTrainsExactlyLikeTheBundledCorpusOnTheFly() throws IOException {
        Path data = tmp.resolve("bytes");
        assertEquals(0, PacerCli.run(prepare(data)));
        // rerunning prepare leaves a complete dataset alone
        byte[] manifest = Files.readAllBytes(data.resolve("manifest.json"));
        assertEquals(0, PacerCli.run(prepare(data)));
        assertEquals(new String(manifest), Files.readString(data.resolve("manifest.json")));

        Path prepared = tmp.resolve("prepared");
        Path onTheFly = tmp.resolve("fly");
        assertEquals(
                0, PacerCli.run(TinyRun.pretrain(prepared, "--max-steps", "3", "--set", "pacer.data.path=" + data)));
        assertEquals(0, PacerCli.run(TinyRun.pretrain(onTheFly, "--max-steps", "3")));
        assertEquals(rows(onTheFly), rows(prepared));
        assertEquals(3, rows(prepared).size());
        assertEquals(Math.log(257), rows(prepared).get(0).get("loss").asDouble(), 0.3);
        JsonNode a = corpusEvent(prepared);
        JsonNode b = corpusEvent(onTheFly);
        for (String f : List.of("train_sequences", "validation_sequences", "train_documents", "order0_entropy_bits")) {
            assertEquals(b.get(f), a.get(f), f);
        }
    }
}
