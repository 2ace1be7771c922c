package dev.pacer.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.pacer.config.ConfigError;
import dev.pacer.data.BundledCorpus;
import dev.pacer.data.ByteTokenizer;
import dev.pacer.data.DocumentSplit;
import dev.pacer.data.tokenize.TestTokenizers;
import dev.pacer.data.tokenize.TextTokenizer;
import dev.pacer.data.tokenize.TokenizerSpec;
import dev.pacer.engine.ModelReplica;
import dev.pacer.run.ModelFixture;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Evaluation against a computation written out here: own packing, logits, log-softmax in double. */
class EvaluationTest {

    @TempDir
    Path dir;

    private static final List<String> DOCS = List.of(
            "The committee adopted the report without a vote.",
            "Grüße aus Köln: the sitting resumed at 15:00.",
            "", // blank line: skipped, as in training
            "Mr President, I would like to thank the rapporteur for her excellent work on this file.");

    private Path writeDocs(String name, boolean gzip) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream raw = Files.newOutputStream(p);
                OutputStream out = gzip ? new GZIPOutputStream(raw) : raw) {
            out.write((String.join("\n", DOCS) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return p;
    }

    /** Mean next-token loss over sequences cut by hand from the document stream. */
    private static double independentLoss(float[] weights, int seqLen, int[] targetsOut) {
        List<Integer> stream = new ArrayList<>();
        for (String d : DOCS) {
            if (d.isEmpty()) {
                continue;
            }
            for (byte b : d.getBytes(StandardCharsets.UTF_8)) {
                stream.add(b & 0xFF);
            }
            stream.add(256);
        }
        int n = stream.size() / (seqLen + 1);
        int vocab = ModelFixture.VOCAB;
        double nll = 0;
        int count = 0;
        try (ModelReplica replica = new ModelReplica(ModelFixture.LAYOUT, Device.cpu())) {
            for (int s = 0; s < n; s++) {
                long[][] in = new long[1][seqLen];
                for (int t = 0; t < seqLen; t++) {
                    in[0][t] = stream.get(s * (seqLen + 1) + t);
                }
                float[] logits = replica.logits(weights, in);
                for (int t = 0; t < seqLen; t++) {
                    int target = stream.get(s * (seqLen + 1) + t + 1);
                    double max = Double.NEGATIVE_INFINITY;
                    for (int v = 0; v < vocab; v++) {
                        max = Math.max(max, logits[t * vocab + v]);
                    }
                    double z = 0;
                    for (int v = 0; v < vocab; v++) {
                        z += Math.exp(logits[t * vocab + v] - max);
                    }
                    nll -= logits[t * vocab + target] - max - Math.log(z);
                    count++;
                }
            }
        }
        targetsOut[0] = count;
        return nll / count;
    }

    @Test
    void lossPerplexityAndBitsPerByteMatchAnIndependentComputation() throws IOException {
        float[] w = ModelFixture.weights();
        int seqLen = 20;
        int[] targets = new int[1];
        double expected = independentLoss(w, seqLen, targets);
        for (Path data : List.of(writeDocs("docs.txt", false), writeDocs("docs.txt.gz", true))) {
            EvaluationSet set = EvaluationSet.read(
                    data.toString(), new ByteTokenizer(), seqLen, 0.02, false, 0, new Configuration());
            assertEquals(3, set.documents());
            assertEquals(1.0, set.bytesPerToken(), 0.0, "byte tokenizer: one byte per token");
            Evaluation e = Evaluation.run(ModelFixture.LAYOUT, w, set, done -> {});
            assertEquals(targets[0], e.targetTokens(), data.toString());
            assertEquals(expected, e.lossNatsPerToken(), 1e-5 * expected, data.toString());
            assertEquals(Math.exp(expected), e.perplexity(), 1e-4 * Math.exp(expected));
            assertEquals(expected / Math.log(2), e.bitsPerByte(), 1e-5 * expected);
        }
    }

    /**
     * A byte-level BPE: bits per byte divide by the bytes the scored (target) tokens stand for,
     * counted here from the tokenizer.json's vocabulary; the end of a document counts one byte
     * (its line break), other special tokens none.
     */
    @Test
    void byteLevelBpeBitsPerByteCountTheBytesOfTheScoredTokens() throws IOException {
        Path file = TestTokenizers.writeTrainedBytePairEncoding(dir.resolve("bpe.json"));
        TokenizerSpec spec = TokenizerSpec.resolve(file.toString(), "", new Configuration());
        TextTokenizer t = spec.open();
        Map<Integer, byte[]> bytes = TestTokenizers.bytesOfIds(spec.jsonBytes());
        int seqLen = 8;
        List<Integer> stream = new ArrayList<>();
        for (String d : DOCS) {
            if (!d.isEmpty()) {
                for (int id : t.encode(d)) {
                    stream.add(id);
                }
                stream.add(spec.endOfDocument());
            }
        }
        long targets = 0;
        long targetBytes = 0;
        for (int s = 0; s < stream.size() / (seqLen + 1); s++) {
            for (int k = 1; k <= seqLen; k++) {
                int id = stream.get(s * (seqLen + 1) + k);
                targets++;
                targetBytes += id == spec.endOfDocument() ? 1 : bytes.get(id).length;
            }
        }
        EvaluationSet set = EvaluationSet.read(
                writeDocs("docs.txt", false).toString(), t, seqLen, 0.02, false, 0, new Configuration());
        assertTrue(set.exactBytes());
        assertEquals(targets, set.targetTokens());
        assertEquals((double) targetBytes / targets, set.bytesPerToken(), 1e-12);
        assertTrue(set.bytesPerToken() > 1.5, "merged tokens: " + set.bytesPerToken());
        Evaluation e = new Evaluation(2.0, targets, set.sequences().size(), set.bytesPerToken());
        assertEquals(2.0 / Math.log(2) * targets / targetBytes, e.bitsPerByte(), 1e-12);
    }

    @Test
    void bitsPerByteUseTheBytesTheTokensStandFor() {
        // a vocabulary tokenizer with 2 bytes per token on average halves bits per byte
        Evaluation e = new Evaluation(1.4, 100, 1, 2.0);
        assertEquals(1.4 / Math.log(2) / 2.0, e.bitsPerByte(), 1e-12);
    }

    @Test
    void bundledMeansTheValidationSplitAndFilesCanBeSplitToo() throws IOException {
        EvaluationSet bundled =
                EvaluationSet.read(EvaluationSet.BUNDLED, new ByteTokenizer(), 32, 0.02, false, 5, new Configuration());
        assertEquals(5, bundled.sequences().size());
        assertTrue(bundled.source().startsWith(BundledCorpus.NAME)
                && bundled.source().contains("validation"));
        assertEquals(33, bundled.sequences().get(0).length);
        // with --validation-only, a file gives only the documents the training split holds out
        Path data = writeDocs("docs.txt", false);
        double fraction = 0;
        long heldOut = 0;
        while (heldOut == 0 || heldOut == 3) { // a fraction that holds out some of the three documents
            fraction += 0.05;
            DocumentSplit split = new DocumentSplit(fraction);
            heldOut = DOCS.stream()
                    .filter(d -> !d.isEmpty() && split.isValidation(d))
                    .count();
        }
        EvaluationSet held =
                EvaluationSet.read(data.toString(), new ByteTokenizer(), 4, fraction, true, 0, new Configuration());
        assertEquals(heldOut, held.documents());
        assertTrue(held.source().contains("validation split"));
    }

    @Test
    void missingOrTooSmallDataIsAClearError() throws IOException {
        ConfigError missing = assertThrows(
                ConfigError.class,
                () -> EvaluationSet.read(
                        dir.resolve("nope.txt").toString(),
                        new ByteTokenizer(),
                        16,
                        0.02,
                        false,
                        0,
                        new Configuration()));
        assertTrue(missing.getMessage().contains("nope.txt")
                && missing.getMessage().contains("no such file"));
        Path tiny = dir.resolve("tiny.txt");
        Files.writeString(tiny, "hi\n");
        ConfigError small = assertThrows(
                ConfigError.class,
                () -> EvaluationSet.read(
                        tiny.toString(), new ByteTokenizer(), 16, 0.02, false, 0, new Configuration()));
        assertTrue(small.getMessage().contains("fill no sequence of 17 tokens"), small.getMessage());
    }
}
