package dev.pacer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.pacer.config.ConfigError;
import dev.pacer.data.shard.TestDatasets;
import dev.pacer.data.tokenize.TestTokenizers;
import dev.pacer.data.tokenize.TokenizerSpec;
import dev.pacer.model.ModelPreset;
import dev.pacer.run.ModelFixture;
import dev.pacer.run.PacerSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The driver-side checks of the training data, all before Spark starts. */
class CorpusDataTest {

    @TempDir
    Path dir;

    private final Configuration conf = new Configuration();

    private PacerSettings settings(String... lines) {
        return PacerSettings.load(ConfigFactory.parseString("pacer.run.dir = \"" + dir.resolve("run") + "\"\n"
                + "pacer.model.preset = tiny\npacer.train.seq-len = 16\n" + String.join("\n", lines)));
    }

    private Path bpeDataset(int shards) throws Exception {
        return bpeDataset(dir, conf, shards);
    }

    /** A byte-pair-encoded dataset of 200 short documents in {@code shards} shards, under {@code dir}. */
    static Path bpeDataset(Path dir, Configuration conf, int shards) throws Exception {
        Path tok = dir.resolve("tokenizer.json");
        Files.write(tok, TestTokenizers.bytePairEncoding());
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            docs.add("the house voted on report number " + i + " and the debate went on " + "at length ".repeat(i % 4));
        }
        Path out = dir.resolve("bpe");
        TestDatasets.write(out, docs, TokenizerSpec.resolve(tok.toString(), "", conf), shards, 32, 0.1);
        return out;
    }

    @Test
    void vocabularyComesFromTheDataset() throws Exception {
        assertEquals(257, CorpusData.open(settings(), conf).vocabSize());
        Path ds = bpeDataset(2);
        CorpusData data = CorpusData.open(settings("pacer.data.path = \"" + ds + "\""), conf);
        assertEquals(256 + TestTokenizers.MERGES.size() + 1, data.vocabSize());
        assertTrue(data.describe().contains("bpe") && data.describe().contains("manifest sha256"), data.describe());
    }

    @Test
    void missingOrUnfinishedDatasetsAreRefused() throws Exception {
        String m = assertThrows(
                        ConfigError.class,
                        () -> CorpusData.open(settings("pacer.data.path = \"" + dir.resolve("none") + "\""), conf))
                .getMessage();
        assertTrue(m.startsWith("pacer.data.path: no prepared dataset") && m.contains("bin/pacer prepare"), m);
        Path half = bpeDataset(2);
        Files.delete(half.resolve("manifest.json"));
        m = assertThrows(ConfigError.class, () -> CorpusData.open(settings("pacer.data.path = \"" + half + "\""), conf))
                .getMessage();
        assertTrue(m.contains("no manifest.json"), m);
        assertEquals(1, m.lines().count());
    }

    @Test
    void fewerShardsThanPartitionsIsRefused() throws Exception {
        Path ds = bpeDataset(1);
        String m = assertThrows(
                        ConfigError.class,
                        () -> CorpusData.open(
                                settings("pacer.data.path = \"" + ds + "\"", "pacer.spark.partitions = 2"), conf))
                .getMessage();
        assertTrue(m.contains("pacer.spark.partitions = 2") && m.contains("1 shards"), m);
    }

    @Test
    void resumingOnAnotherVocabularyIsRefusedBeforeSpark() throws Exception {
        Path ckpt = dir.resolve("run/checkpoints/step-0000003");
        Files.createDirectories(ckpt);
        long byteParams = ModelPreset.TINY.config(257).parameterCount();
        Files.writeString(
                ckpt.resolve("state.json"),
                "{\"step\": 3, \"model_preset\": \"tiny\", \"parameter_count\": " + byteParams + "}");
        Files.writeString(ckpt.resolve("COMMITTED"), "");
        CorpusData.open(settings(), conf); // same vocabulary: fine
        Path ds = bpeDataset(2);
        String m = assertThrows(
                        ConfigError.class, () -> CorpusData.open(settings("pacer.data.path = \"" + ds + "\""), conf))
                .getMessage();
        assertTrue(m.contains("vocabulary mismatch") && m.contains("257-token") && m.contains("272"), m);
        assertEquals(1, m.lines().count());
    }

    @Test
    void aPinnedVersionMustExistAndNarrowsTheData() throws Exception {
        Path ds = bpeDataset(2);
        TokenizerSpec bpe = TokenizerSpec.resolve(dir.resolve("tokenizer.json").toString(), "", conf);
        var grown = TestDatasets.append(
                dev.pacer.data.shard.PreparedDataset.open(ds.toString(), conf),
                List.of("a later document about the budget", "and another one on the fisheries policy"),
                bpe);
        assertEquals(2, grown.versionsAvailable());
        String path = "pacer.data.path = \"" + ds + "\"";
        assertEquals(2, CorpusData.open(settings(path), conf).dataset().version());
        CorpusData pinned = CorpusData.open(settings(path, "pacer.data.version = 1"), conf);
        assertEquals(1, pinned.dataset().version());
        assertTrue(pinned.describe().contains("version 1 of 2"), pinned.describe());
        String m = assertThrows(
                        ConfigError.class, () -> CorpusData.open(settings(path, "pacer.data.version = 3"), conf))
                .getMessage();
        assertTrue(m.startsWith("pacer.data.version = 3") && m.contains("2 versions"), m);
        assertEquals(1, m.lines().count());
    }

    /** A run whose newest checkpoint records the trained test BPE, at {@code dir/run}; returns that tokenizer. */
    private TokenizerSpec runTrainedWithBpe() throws Exception {
        Path file = TestTokenizers.writeTrainedBytePairEncoding(dir.resolve("bpe.json"));
        TokenizerSpec spec = TokenizerSpec.resolve(file.toString(), "", conf);
        ModelFixture.write(
                dir.resolve("run"), 3, ModelFixture.weights(ModelFixture.layout(spec.vocabSize())), 16, spec);
        return spec;
    }

    @Test
    void resumingWithAnotherTokenizerOfTheSameSizeIsRefusedBeforeSpark() throws Exception {
        TokenizerSpec trained = runTrainedWithBpe();
        CorpusData.open(settings("pacer.data.tokenizer = \"" + trained.source() + "\""), conf); // the same: fine
        // the same vocabulary, another pre-tokenizer: other tokens for the same text
        Path other = Files.writeString(
                dir.resolve("other.json"),
                new String(trained.jsonBytes(), StandardCharsets.UTF_8)
                        .replaceFirst("\"use_regex\":true", "\"use_regex\":false"));
        String m = assertThrows(
                        ConfigError.class,
                        () -> CorpusData.open(settings("pacer.data.tokenizer = \"" + other + "\""), conf))
                .getMessage();
        assertTrue(
                m.contains("tokenizer changed") && m.contains(trained.sha256().substring(0, 12)), m);
        assertTrue(m.contains(TokenizerSpec.sha256(Files.readAllBytes(other)).substring(0, 12)), m);
        assertTrue(m.contains(dir.resolve("run").resolve("tokenizer.json").toString()), "names the copy: " + m);
        assertEquals(1, m.lines().count());
    }

    @Test
    void aTokenizerGoneAtResumeNamesTheRunsCopy() throws Exception {
        TokenizerSpec trained = runTrainedWithBpe();
        Files.delete(Path.of(trained.source()));
        String m = assertThrows(
                        ConfigError.class,
                        () -> CorpusData.open(settings("pacer.data.tokenizer = \"" + trained.source() + "\""), conf))
                .getMessage();
        assertTrue(m.startsWith("pacer.data.tokenizer: no tokenizer file at"), m);
        assertTrue(
                m.contains(trained.sha256().substring(0, 12))
                        && m.contains(
                                dir.resolve("run").resolve("tokenizer.json").toString()),
                m);
        assertEquals(1, m.lines().count());
        // pointed at the run's copy, the run resumes
        CorpusData data = CorpusData.open(
                settings("pacer.data.tokenizer = \"" + dir.resolve("run").resolve("tokenizer.json") + "\""), conf);
        assertEquals(trained.sha256(), data.tokenizer().sha256());
    }
}
