package dev.pacer.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.cli.PacerCli;
import dev.pacer.data.CorpusPartition;
import dev.pacer.data.HadoopConf;
import dev.pacer.data.shard.PreparedDataset;
import dev.pacer.data.tokenize.TestTokenizers;
import dev.pacer.data.tokenize.TokenizerSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GPT-2 style byte-level BPE run from corpus to exported model on local[2] with the tiny preset:
 * prepare with the tests' 300-merge BPE, pretrain, then evaluate, sample, report and export after
 * the original tokenizer file is gone (the run carries its copy); validation rows in bits per byte,
 * checked against the bytes counted here; a changed tokenizer cannot resume the run.
 */
class BpeEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** Exit code, standard output and standard error of one command. */
    private record Ran(int code, String out, String err) {}

    private static Ran run(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream previous = System.out;
        int code;
        try (PrintStream capture = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            code = PacerCli.run(new PrintWriter(err, true), args);
        } finally {
            System.setOut(previous);
        }
        return new Ran(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    /**
     * Target tokens and the bytes they stand for over the validation set the run scores (eval-sequences
     * 8 over 2 partitions: the first 4 validation sequences of each), bytes read from the tokenizer.json
     * here; the end of a document counts one byte.
     */
    private static long[] validationTokensAndBytes(Path data, TokenizerSpec spec) {
        Map<Integer, byte[]> bytes = TestTokenizers.bytesOfIds(spec.jsonBytes());
        PreparedDataset ds = PreparedDataset.open(data.toString(), new Configuration());
        long tokens = 0;
        long count = 0;
        for (int p = 0; p < 2; p++) {
            CorpusPartition part = ds.loadPartition(p, 2, 33, new HadoopConf(new Configuration()));
            for (int[] seq : part.validation().head(4)) {
                for (int i = 1; i < seq.length; i++) {
                    tokens++;
                    count += seq[i] == spec.endOfDocument() ? 1 : bytes.get(seq[i]).length;
                }
            }
        }
        return new long[] {tokens, count};
    }

    @Test
    void aBpeRunGoesFromPrepareThroughPretrainToAnExportedModel() throws IOException {
        Path tok = TestTokenizers.writeTrainedBytePairEncoding(tmp.resolve("source/bpe.json"));
        byte[] tokBytes = Files.readAllBytes(tok);
        TokenizerSpec spec = TokenizerSpec.resolve(tok.toString(), "", new Configuration());
        Path data = tmp.resolve("data");
        Ran prepared = run(TinyRun.prepare(data, "--set", "pacer.data.tokenizer=" + tok));
        assertEquals(0, prepared.code(), prepared.err());

        Path runDir = tmp.resolve("run");
        assertEquals(0, PacerCli.run(TinyRun.pretrain(runDir, "--max-steps", "4", "--set", "pacer.data.path=" + data)));
        Files.delete(tok); // from here on only the run's copy exists
        assertArrayEquals(tokBytes, Files.readAllBytes(runDir.resolve("tokenizer.json")));
        Path checkpoint = runDir.resolve("checkpoints/step-0000004");
        JsonNode record =
                JSON.readTree(checkpoint.resolve("state.json").toFile()).get("tokenizer");
        assertEquals(spec.sha256(), record.get("sha256").asText());
        assertEquals(spec.vocabSize(), record.get("vocab_size").asInt());

        // validation rows: val_loss (nats/token) x tokens / (bytes x ln 2)
        long[] tb = validationTokensAndBytes(data, spec);
        assertTrue(
                tb[1] > 1.5 * tb[0], "BPE tokens stand for several bytes: " + tb[0] + " tokens, " + tb[1] + " bytes");
        List<ObjectNode> rows = TinyRun.deterministicRows(runDir);
        List<ObjectNode> validated =
                rows.stream().filter(r -> r.has("val_loss")).toList();
        assertEquals(2, validated.size(), "validation at step 3 and after the last step");
        for (ObjectNode r : validated) {
            double expected = r.get("val_loss").asDouble() * tb[0] / (tb[1] * Math.log(2));
            assertEquals(expected, r.get("val_bits_per_byte").asDouble(), 1e-12 * expected, r.toString());
        }
        JsonNode event = TinyRun.events(runDir).stream()
                .filter(e -> e.path("event").asText().equals("validation_set"))
                .findFirst()
                .orElseThrow();
        assertEquals(tb[0], event.get("tokens").asLong());
        assertEquals(tb[1], event.get("bytes").asLong());

        Ran evaluated = run(
                "evaluate", "--checkpoint", runDir.toString(), "--data", "bundled", "--max-sequences", "16", "--json");
        assertEquals(0, evaluated.code(), evaluated.err());
        JsonNode e = JSON.readTree(evaluated.out());
        assertTrue(e.get("bytes_exact").asBoolean());
        assertTrue(e.get("bits_per_byte").asDouble() < e.get("loss").asDouble() / Math.log(2), e.toString());

        Ran sampled = run(
                "sample",
                "--checkpoint",
                runDir.toString(),
                "--prompt",
                "Herr Präsident, ",
                "--seed",
                "3",
                "--max-tokens",
                "20");
        assertEquals(0, sampled.code(), sampled.err());
        assertFalse(sampled.out().isBlank());

        assertEquals(0, run("report", runDir.toString()).code());
        String html = Files.readString(runDir.resolve("report/report.html"));
        assertTrue(html.contains("<div class=\"k\">bits per byte</div>"), "bits per byte card");
        assertTrue(html.contains("bits/token"), "order-0 entropy per token");

        Path export = tmp.resolve("export");
        Ran exported = run("export", "--checkpoint", runDir.toString(), "--output", export.toString());
        assertEquals(0, exported.code(), exported.err());
        assertArrayEquals(tokBytes, Files.readAllBytes(export.resolve("tokenizer.json")));
        try (Stream<Path> files = Files.list(export)) {
            assertEquals(
                    List.of(
                            "config.json",
                            "merges.txt",
                            "model.safetensors",
                            "special_tokens_map.json",
                            "tokenizer.json",
                            "tokenizer_config.json",
                            "vocab.json"),
                    files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        assertEquals(
                spec.vocabSize(),
                JSON.readTree(export.resolve("config.json").toFile())
                        .get("vocab_size")
                        .asInt());

        // resuming with another tokenizer of the same size is refused before Spark, in one line
        Path other = Files.writeString(
                tmp.resolve("other.json"),
                new String(tokBytes, StandardCharsets.UTF_8).replaceFirst("\"use_regex\":true", "\"use_regex\":false"));
        Ran changed = run(TinyRun.pretrain(runDir, "--max-steps", "6", "--set", "pacer.data.tokenizer=" + other));
        assertEquals(2, changed.code(), changed.err());
        assertTrue(
                changed.err().contains("tokenizer changed")
                        && changed.err().contains(spec.sha256().substring(0, 12)),
                changed.err());
    }
}
