package dev.pacer.prepare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.pacer.config.ConfigError;
import dev.pacer.data.CorpusException;
import dev.pacer.data.CorpusPartition;
import dev.pacer.data.DocumentSplit;
import dev.pacer.data.HadoopConf;
import dev.pacer.data.TokenBlock;
import dev.pacer.data.shard.DatasetManifest;
import dev.pacer.data.shard.PreparedDataset;
import dev.pacer.data.shard.ShardInfo;
import dev.pacer.data.source.Fixtures;
import dev.pacer.data.source.InputUnit;
import dev.pacer.data.source.SkipReason;
import dev.pacer.data.tokenize.TestTokenizers;
import dev.pacer.data.tokenize.TokenizerSpec;
import dev.pacer.run.PacerSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The prepare job on local[2] with small fixtures of every format; one Spark session for the class. */
class PrepareJobTest {

    private static SparkSession spark;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("prepare-test")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static PacerSettings settings(String... sets) {
        String hocon = String.join("\n", sets);
        return PacerSettings.load(ConfigFactory.parseString(hocon));
    }

    private PrepareJob.Result prepare(List<String> inputs, Path out, boolean overwrite, String... sets)
            throws Exception {
        return new PrepareJob(settings(sets), inputs, out.toString(), overwrite).run();
    }

    private static int[] stream(TokenBlock b) {
        int[] out = new int[(int) b.tokenCount()];
        for (int i = 0; i < b.sequenceCount(); i++) {
            System.arraycopy(b.sequence(i), 0, out, i * b.sequenceLength(), b.sequenceLength());
        }
        return out;
    }

    private Path parquet(String name, List<String> texts) {
        StructType schema = new StructType().add("id", DataTypes.LongType).add("text", DataTypes.StringType);
        List<org.apache.spark.sql.Row> rows = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            rows.add(RowFactory.create((long) i, texts.get(i)));
        }
        Path p = dir.resolve(name);
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(p.toString());
        return p;
    }

    @Test
    void everyFormatInOneDatasetInInputOrderWithBpe() throws Exception {
        Path text = dir.resolve("a.txt");
        Files.writeString(text, "plain one\n\nplain two\n");
        Path jsonl = dir.resolve("b.jsonl");
        Files.writeString(jsonl, "{\"text\": \"json one\"}\n{\"text\": \"json two\"}\nnot json\n");
        Path pq = parquet("c", Arrays.asList("parquet one", null, "parquet two"));
        Path hf = Fixtures.huggingFaceDataset(
                dir.resolve("d"), List.of(List.of("arrow one", "arrow two"), List.of("arrow three")));
        Path tok = dir.resolve("tokenizer.json");
        Files.write(tok, TestTokenizers.bytePairEncoding());
        Path out = dir.resolve("out");
        PrepareJob.Result r = prepare(
                List.of(text.toString(), jsonl.toString(), pq.toString(), hf.toString()),
                out,
                false,
                "pacer.data.tokenizer = \"" + tok + "\"",
                "pacer.data.max-bad-fraction = 0.2",
                "pacer.data.shards = 1",
                "pacer.data.seq-len = 4",
                "pacer.data.validation-fraction = 0.01");
        DatasetManifest m = r.manifest();
        assertFalse(r.alreadyComplete());
        assertEquals(12, m.counts().records());
        assertEquals(9, m.counts().documents());
        assertEquals(1, m.counts().skipped(SkipReason.MALFORMED_JSON));
        assertEquals(1, m.counts().skipped(SkipReason.MISSING_FIELD));
        assertEquals(1, m.counts().skipped(SkipReason.EMPTY));
        assertEquals(
                TokenizerSpec.resolve(tok.toString(), "", new Configuration()).sha256(),
                m.tokenizer().sha256());
        JsonNode json = JSON.readTree(Files.readAllBytes(out.resolve("manifest.json")));
        assertEquals(1, json.path("skipped").path("malformed_json").asInt());
        assertTrue(
                json.path("bad_record_examples").get(0).path("where").asText().endsWith("b.jsonl line 3"));
        assertEquals(m.configDigest(), json.path("config_digest").asText());
        assertEquals(4, json.path("sources").size());
        assertFalse(Files.exists(out.resolve(PrepareJob.MARKER)));
        assertArrayEquals(
                Files.readAllBytes(tok),
                Files.readAllBytes(out.resolve(dev.pacer.data.shard.PreparedDataset.TOKENIZER_FILE)));

        // one shard, and every document landed in training (1% validation): decode the stream
        PreparedDataset ds = PreparedDataset.open(out.toString(), new Configuration());
        CorpusPartition p = ds.loadPartition(0, 1, 5, new HadoopConf(new Configuration()));
        int[] ids = new int[(int) (p.train().tokenCount() + p.validation().tokenCount())];
        System.arraycopy(stream(p.train()), 0, ids, 0, (int) p.train().tokenCount());
        String decoded = TokenizerSpec.resolve(tok.toString(), "", new Configuration())
                .open()
                .decode(ids);
        String want = String.join(
                        "<|endoftext|>",
                        "plain one",
                        "plain two",
                        "json one",
                        "json two",
                        "parquet one",
                        "parquet two",
                        "arrow one",
                        "arrow two",
                        "arrow three")
                + "<|endoftext|>";
        assertTrue(want.startsWith(decoded) && want.length() - decoded.length() < 40, decoded);
    }

    @Test
    void bundledDatasetEqualsOnTheFlyPartitionsAndIsDeterministic() throws Exception {
        String[] sets = {"pacer.data.max-documents = 300", "pacer.data.shards = 2", "pacer.train.seq-len = 32"};
        PrepareJob.Result a = prepare(List.of(), dir.resolve("a"), false, sets);
        PrepareJob.Result b = prepare(List.of(), dir.resolve("b"), false, sets);
        assertEquals(300, a.manifest().totals(ShardInfo.TRAIN)[0] + a.manifest().totals(ShardInfo.VALIDATION)[0]);
        assertEquals(17_597 - 300, a.manifest().counts().skipped(SkipReason.OVER_MAX_DOCUMENTS));
        assertEquals(a.manifest().configDigest(), b.manifest().configDigest());
        assertEquals(a.manifest().shards(), b.manifest().shards()); // same bytes, same SHA-256
        PreparedDataset ds = PreparedDataset.open(dir.resolve("a").toString(), new Configuration());
        DocumentSplit split = new DocumentSplit(0.02);
        PacerSettings s = settings(sets);
        for (int p = 0; p < 2; p++) {
            CorpusPartition fromShards = ds.loadPartition(p, 2, 33, new HadoopConf(new Configuration()));
            CorpusPartition onTheFly = CorpusPartition.prepare(
                    InputUnit.bundled(),
                    s.data().readOptions(),
                    new Configuration(),
                    TokenizerSpec.byteLevel(),
                    p,
                    2,
                    33,
                    split,
                    300,
                    false);
            assertArrayEquals(stream(onTheFly.train()), stream(fromShards.train()));
            assertArrayEquals(stream(onTheFly.validation()), stream(fromShards.validation()));
        }
    }

    @Test
    void completeOutputIsKeptUnlessOverwriteAndHalfWrittenIsReplaced() throws Exception {
        Path corpus = dir.resolve("c.txt");
        Files.writeString(corpus, "first document here\nsecond document there\n");
        Path out = dir.resolve("out");
        String[] sets = {"pacer.data.shards = 1", "pacer.data.seq-len = 4"};
        prepare(List.of(corpus.toString()), out, false, sets);
        byte[] manifest = Files.readAllBytes(out.resolve("manifest.json"));
        PrepareJob.Result kept = prepare(List.of(corpus.toString()), out, false, sets);
        assertTrue(kept.alreadyComplete() && !kept.settingsDiffer());
        assertTrue(prepare(List.of(corpus.toString()), out, false, "pacer.data.shards = 2")
                .settingsDiffer());
        assertArrayEquals(manifest, Files.readAllBytes(out.resolve("manifest.json")));
        PrepareJob.Result again = prepare(List.of(corpus.toString()), out, true, sets);
        assertFalse(again.alreadyComplete());
        // a crash before the manifest: marker and shards, no manifest.json -> replaced
        Files.delete(out.resolve("manifest.json"));
        Files.writeString(out.resolve(PrepareJob.MARKER), "{}");
        Files.writeString(out.resolve("train/.stale.tmp"), "x");
        assertFalse(prepare(List.of(corpus.toString()), out, false, sets).alreadyComplete());
        assertFalse(Files.exists(out.resolve("train/.stale.tmp")));
        assertTrue(Files.exists(out.resolve("manifest.json")));
        // someone else's directory is never deleted
        Path foreign = dir.resolve("home");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        String m = assertThrows(ConfigError.class, () -> prepare(List.of(corpus.toString()), foreign, true, sets))
                .getMessage();
        assertTrue(m.contains("not a Pacer dataset"), m);
        assertTrue(Files.exists(foreign.resolve("notes.txt")));
    }

    @Test
    void tooManyBadRecordsEmptyInputAndNoUsableTextFail() throws Exception {
        Path jsonl = dir.resolve("bad.jsonl");
        Files.writeString(jsonl, "{\"text\": \"good\"}\n{\"txt\": \"x\"}\n{broken\n{\"text\": \"good too\"}\n");
        CorpusException e =
                assertThrows(CorpusException.class, () -> prepare(List.of(jsonl.toString()), dir.resolve("o1"), false));
        assertTrue(
                e.getMessage().contains("2 of 4 records")
                        && e.getMessage().contains("max-bad-fraction")
                        && e.getMessage().contains("bad.jsonl line 2"),
                e.getMessage());
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "");
        e = assertThrows(CorpusException.class, () -> prepare(List.of(empty.toString()), dir.resolve("o2"), false));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        Path blank = dir.resolve("blank.jsonl");
        Files.writeString(blank, "{\"text\": \" \"}\n\n");
        e = assertThrows(CorpusException.class, () -> prepare(List.of(blank.toString()), dir.resolve("o3"), false));
        assertTrue(e.getMessage().contains("no usable text") && e.getMessage().contains("empty 2"), e.getMessage());
    }

    @Test
    void missingInputsAndTokenizersFailBeforeSpark() {
        String missing = dir.resolve("nope.jsonl").toString();
        String m = assertThrows(ConfigError.class, () -> prepare(List.of(missing), dir.resolve("o"), false))
                .getMessage();
        assertTrue(m.contains(missing), m);
        String glob = dir.resolve("*.txt").toString();
        m = assertThrows(ConfigError.class, () -> prepare(List.of(glob), dir.resolve("o"), false))
                .getMessage();
        assertTrue(m.contains(glob) && m.contains("matches no file"), m);
        m = assertThrows(
                        ConfigError.class,
                        () -> prepare(
                                List.of(),
                                dir.resolve("o"),
                                false,
                                "pacer.data.tokenizer = \"" + dir.resolve("tok.json") + "\""))
                .getMessage();
        assertTrue(m.contains("tok.json"), m);
    }

    @Test
    void corruptAndTruncatedParquetFilesAreNamed() throws Exception {
        Path good = parquet("good", List.of("a parquet document", "another one"));
        Path file;
        try (var files = Files.list(good)) {
            file = files.filter(f -> f.toString().endsWith(".parquet"))
                    .findFirst()
                    .orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(file);
        Path truncated = dir.resolve("truncated.parquet");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        CorpusException e = assertThrows(
                CorpusException.class, () -> prepare(List.of(truncated.toString()), dir.resolve("o1"), false));
        assertTrue(e.getMessage().contains("truncated.parquet"), e.getMessage());
        // a good file first (schema comes from it), then one whose pages are garbage
        Path corrupt = dir.resolve("z-corrupt.parquet");
        byte[] bad = bytes.clone();
        for (int i = 4; i < bad.length / 2; i++) {
            bad[i] = (byte) 0x7F;
        }
        Files.write(corrupt, bad);
        e = assertThrows(
                CorpusException.class,
                () -> prepare(List.of(file.toString(), corrupt.toString()), dir.resolve("o2"), false));
        assertTrue(e.getMessage().contains("z-corrupt.parquet"), e.getMessage());
        String m = assertThrows(
                        CorpusException.class,
                        () -> prepare(
                                List.of(good.toString()), dir.resolve("o3"), false, "pacer.data.text-field = body"))
                .getMessage();
        assertTrue(m.contains("no column 'body'") && m.contains("id, text"), m);
    }

    @Test
    void aTruncatedArrowFileFailsTheJobWithTheFileNamed() throws Exception {
        Path hf = Fixtures.huggingFaceDataset(dir.resolve("hf"), List.of(List.of("a", "b", "c"), List.of("d", "e")));
        Path data = hf.resolve("data-00001-of-00002.arrow");
        byte[] whole = Files.readAllBytes(data);
        Files.write(data, Arrays.copyOf(whole, whole.length - 8));
        CorpusException e =
                assertThrows(CorpusException.class, () -> prepare(List.of(hf.toString()), dir.resolve("o"), false));
        assertTrue(
                e.getMessage().contains("data-00001-of-00002.arrow")
                        && e.getMessage().contains("truncated"),
                e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void binaryInputIsRefusedWithItsCountsUnlessTheLimitIsRaised() throws Exception {
        byte[] random = new byte[50_000];
        new java.util.Random(7).nextBytes(random);
        Path bin = dir.resolve("image.txt");
        Files.write(bin, random);
        Path text = dir.resolve("ok.txt");
        Files.writeString(text, "a line of text\nanother line of text\n".repeat(200));
        CorpusException e = assertThrows(
                CorpusException.class,
                () -> prepare(List.of(text.toString(), bin.toString()), dir.resolve("o1"), false));
        String m = e.getMessage();
        assertEquals(1, m.lines().count(), m);
        long sequences = new String(random, StandardCharsets.UTF_8)
                .chars()
                .filter(c -> c == 0xFFFD)
                .count();
        assertTrue(
                m.startsWith("file:" + bin) && m.contains(String.format("%,d invalid UTF-8 sequences", sequences)), m);
        assertTrue(m.contains("pacer.data.max-non-text-fraction = 0.05") && !m.contains("ok.txt"), m);

        // raised limit: prepared, and the manifest counts what it holds
        PrepareJob.Result r = prepare(
                List.of(text.toString(), bin.toString()),
                dir.resolve("o2"),
                false,
                "pacer.data.max-non-text-fraction = 1");
        JsonNode counted = JSON.readTree(Files.readAllBytes(dir.resolve("o2/manifest.json")))
                .path("text_bytes");
        assertEquals(sequences, counted.path("invalid_utf8_sequences").asLong());
        assertEquals(
                r.manifest().counts().utf8Replaced(),
                counted.path("invalid_utf8_records").asLong());
        assertTrue(counted.path("invalid_utf8_records").asLong() > 100, counted.toString());
        assertEquals(
                sequences,
                PreparedDataset.open(dir.resolve("o2").toString(), new Configuration())
                        .manifest()
                        .counts()
                        .text()
                        .invalidUtf8Sequences());
    }

    @Test
    void aFewBadBytesAreReplacedCountedAndNotRefused() throws Exception {
        Path text = dir.resolve("mostly.txt");
        byte[] good = "plain text line\n".repeat(300).getBytes(StandardCharsets.UTF_8);
        byte[] bytes = Arrays.copyOf(good, good.length + 3);
        bytes[good.length] = (byte) 0xC3; // a lead byte without its continuation
        bytes[good.length + 1] = 'x';
        bytes[good.length + 2] = (byte) 0xFE;
        Files.write(text, bytes);
        PrepareJob.Result r = prepare(List.of(text.toString()), dir.resolve("o"), false, "pacer.data.shards = 1");
        assertEquals(301, r.manifest().counts().documents());
        assertEquals(1, r.manifest().counts().utf8Replaced());
        assertEquals(2, r.manifest().counts().text().invalidUtf8Sequences());
        assertEquals(0, r.manifest().counts().nonTextFiles());
    }

    @Test
    void exactDuplicatesAreDroppedAndCountedAcrossShards() throws Exception {
        Path corpus = dir.resolve("dups.txt");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            lines.add("document number " + (i % 10) + " with some words");
        }
        Files.write(corpus, lines, StandardCharsets.UTF_8);
        PrepareJob.Result r = prepare(
                List.of(corpus.toString()),
                dir.resolve("o"),
                false,
                "pacer.data.dedup = true",
                "pacer.data.shards = 3",
                "pacer.data.seq-len = 8");
        assertEquals(30, r.manifest().counts().skipped(SkipReason.DUPLICATE));
        assertEquals(10, r.manifest().totals(ShardInfo.TRAIN)[0] + r.manifest().totals(ShardInfo.VALIDATION)[0]);
        assertEquals(40, r.manifest().counts().documents());
    }
}
