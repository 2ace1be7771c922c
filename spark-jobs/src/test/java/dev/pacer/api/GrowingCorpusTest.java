package dev.pacer.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.config.ConfigError;
import dev.pacer.data.ByteTokenizer;
import dev.pacer.data.DocumentSplit;
import dev.pacer.data.shard.TestDatasets;
import dev.pacer.data.tokenize.TestTokenizers;
import dev.pacer.data.tokenize.TokenizerSpec;
import dev.pacer.prepare.PrepareJob;
import dev.pacer.testing.LocalSpark;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corpus that grows night by night through {@code prepare --sql ... --append}: four nights,
 * the first creating the dataset and three appends, one of which finds nothing new. Each version
 * holds exactly the documents no earlier version holds, the manifest lists the versions with
 * their counts, and {@link PreparedCorpus} reads it all back as DataFrames.
 */
class GrowingCorpusTest {

    @TempDir
    static Path dir;

    private static SparkSession spark;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROW = 17; // seq-len 16 + 1

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("growing-corpus-test", dir.resolve("warehouse"));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static String text(int id) {
        return "Night document " + id + ": the assembly " + "debated ".repeat(id % 3) + "item " + id * 11 + ".";
    }

    /** Tonight's table: the documents with these ids (every night re-exports what it still has). */
    private static void tonight(int[]... parts) {
        StructType schema =
                new StructType().add("doc_id", DataTypes.IntegerType).add("body", DataTypes.StringType);
        List<Row> rows = new ArrayList<>();
        for (int[] part : parts) {
            for (int id : part) {
                rows.add(RowFactory.create(id, text(id)));
            }
        }
        spark.createDataFrame(rows, schema).coalesce(1).createOrReplaceTempView("nightly");
    }

    private static LocalSpark.Run appendTonight(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "prepare",
                "--sql",
                "SELECT body AS text, doc_id AS id FROM nightly ORDER BY doc_id",
                "--output",
                out.toString(),
                "--append",
                "--set",
                "pacer.data.shards=2",
                "--set",
                "pacer.data.seq-len=16"));
        args.addAll(List.of(extra));
        return LocalSpark.cli(args.toArray(String[]::new));
    }

    @Test
    void threeAppendsOneWithNothingNewAndTheDatasetReadBack() throws Exception {
        Path out = dir.resolve("growing");
        int[] first = IntStream.range(0, 30).toArray();
        int[] second = IntStream.range(30, 42).toArray();
        int[] third = IntStream.range(42, 49).toArray();

        tonight(first);
        LocalSpark.Run r = appendTonight(out);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("prepared") && r.out().contains("30 documents"), r.out());

        tonight(first, second); // yesterday's documents come again, with 12 new ones
        r = appendTonight(out);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("appended version 2") && r.out().contains("12 documents"), r.out());

        byte[] manifestBefore = Files.readAllBytes(out.resolve("manifest.json"));
        r = appendTonight(out); // the same table again: nothing new
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out().contains("nothing new") && r.out().contains("42 documents read, 42 already in versions 1 to 2"),
                r.out());
        assertArrayEquals(manifestBefore, Files.readAllBytes(out.resolve("manifest.json")));
        assertFalse(Files.exists(out.resolve("v00003")), "an empty version was written");

        tonight(second, third); // the oldest documents left the table; 7 new ones
        r = appendTonight(out);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("appended version 3") && r.out().contains("7 documents"), r.out());

        JsonNode versions =
                JSON.readTree(Files.readAllBytes(out.resolve("manifest.json"))).path("versions");
        assertEquals(3, versions.size());
        long[][] expected = {{30, 30, 0}, {42, 12, 30}, {19, 7, 12}}; // read, packed, seen before
        List<int[]> ids = List.of(first, second, third);
        for (int v = 0; v < 3; v++) {
            JsonNode e = versions.get(v);
            assertEquals(expected[v][0], e.path("documents_read").asLong(), "version " + (v + 1));
            assertEquals(expected[v][1], e.path("documents").asLong(), "version " + (v + 1));
            assertEquals(expected[v][2], e.path("seen_before").asLong(), "version " + (v + 1));
            long tokens = Arrays.stream(ids.get(v))
                    .mapToLong(i -> text(i).getBytes(StandardCharsets.UTF_8).length + 1)
                    .sum();
            assertEquals(tokens, e.path("tokens").asLong(), "version " + (v + 1));
        }

        // a version packed unlike the dataset is refused before Spark runs anything
        r = appendTonight(out, "--set", "pacer.data.shards=4");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("pacer.data.shards = 4") && r.err().contains("prepared with 2"), r.err());

        readBack(out, ids);
    }

    @Test
    void aDataFrameWithATokenizerJsonGrowsWithTheDatasetsOwnTokenizer() throws Exception {
        Path tok = dir.resolve("tokenizer.json");
        Files.write(tok, TestTokenizers.bytePairEncoding());
        Path out = dir.resolve("bpe");
        PacerConfig packing = PacerConfig.defaults().set("pacer.data.shards", 2).set("pacer.data.seq-len", 8);
        tonight(IntStream.range(0, 20).toArray());
        PreparationResult first = CorpusPreparation.fromDataFrame(spark.table("nightly"), "body")
                .idColumn("doc_id")
                .tokenizer(tok.toString())
                .config(packing)
                .append()
                .writeTo(out.toString());
        assertEquals(PrepareJob.Status.PREPARED, first.status());
        int vocab =
                TokenizerSpec.resolve(tok.toString(), "", new Configuration()).vocabSize();
        assertEquals(vocab, first.vocabSize());

        // no tokenizer given: the dataset's own copy packs the new version
        tonight(IntStream.range(0, 26).toArray());
        PreparationResult second = CorpusPreparation.fromDataFrame(spark.table("nightly"), "body")
                .config(packing)
                .append()
                .writeTo(out.toString());
        assertEquals(PrepareJob.Status.APPENDED, second.status());
        assertEquals(List.of(2, 6L, 20L), List.of(second.version(), second.documents(), second.seenBefore()));
        assertEquals(vocab, second.vocabSize());

        // another tokenizer is refused, before any job
        ConfigError e = assertThrows(
                ConfigError.class,
                () -> CorpusPreparation.fromDataFrame(spark.table("nightly"), "body")
                        .tokenizer("byte")
                        .config(packing)
                        .append()
                        .writeTo(out.toString()));
        assertTrue(
                e.getMessage().contains("pacer.data.tokenizer = byte")
                        && e.getMessage().contains(tok.toString()),
                e.getMessage());

        // a dataset from before document indexes: its documents cannot be recognised
        Path old = dir.resolve("old");
        TestDatasets.write(old, List.of(text(1), text(2), text(3)), TokenizerSpec.byteLevel(), 2, 8, 0.2);
        e = assertThrows(
                ConfigError.class,
                () -> CorpusPreparation.fromDataFrame(spark.table("nightly"), "body")
                        .config(packing)
                        .append()
                        .writeTo(old.toString()));
        assertTrue(e.getMessage().contains("no documents/ index"), e.getMessage());
    }

    /** The dataset as DataFrames: every version's documents, sequences and statistics. */
    private void readBack(Path out, List<int[]> ids) {
        PreparedCorpus corpus = PreparedCorpus.open(spark, out.toString());
        assertEquals(3, corpus.versionCount());

        Map<Integer, Set<String>> byVersion = new TreeMap<>();
        for (Row row : corpus.documents().collectAsList()) {
            byVersion.computeIfAbsent(row.getInt(0), k -> new HashSet<>()).add(row.getString(2));
        }
        for (int v = 0; v < 3; v++) {
            Set<String> want =
                    Arrays.stream(ids.get(v)).mapToObj(Integer::toString).collect(Collectors.toSet());
            assertEquals(want, byVersion.get(v + 1), "ids of version " + (v + 1));
        }
        assertEquals(49, corpus.documents().select("hash").distinct().count());
        DocumentSplit split = new DocumentSplit(0.02);
        long validation =
                IntStream.range(0, 49).filter(i -> split.isValidation(text(i))).count();
        assertEquals(
                validation, corpus.documents().where("split = 'validation'").count());

        // each shard of version 3 holds its documents' bytes, each followed by end-of-document,
        // in input order, cut into whole rows
        for (int shard = 0; shard < 2; shard++) {
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            for (Row d : corpus.documents()
                    .where("version = 3 AND split = 'train' AND shard = " + shard)
                    .orderBy("document_index")
                    .collectAsList()) {
                stream.writeBytes(text(Integer.parseInt(d.getString(2))).getBytes(StandardCharsets.UTF_8));
                stream.write(0); // stands for end-of-document below
            }
            byte[] bytes = stream.toByteArray();
            int[] want = new int[bytes.length / ROW * ROW];
            for (int i = 0; i < want.length; i++) {
                want[i] = bytes[i] == 0 ? ByteTokenizer.END_OF_DOCUMENT : bytes[i] & 0xFF;
            }
            List<Row> rows = corpus.sequences()
                    .where("version = 3 AND split = 'train' AND shard = " + shard)
                    .orderBy("row")
                    .collectAsList();
            int[] got = rows.stream()
                    .flatMap(row -> row.<Integer>getList(4).stream())
                    .mapToInt(Integer::intValue)
                    .toArray();
            assertArrayEquals(want, got, "shard " + shard);
            String text = rows.stream().map(row -> row.getString(5)).collect(Collectors.joining());
            assertEquals(new ByteTokenizer().decode(want), text);
        }

        Row stats = corpus.versions().where("version = 3").first();
        assertEquals(7L, stats.getLong(stats.fieldIndex("documents")));
        assertEquals(12L, stats.getLong(stats.fieldIndex("seen_before")));
        assertEquals(
                12L, stats.<String, Long>getJavaMap(stats.fieldIndex("skipped")).get("seen_before"));
        assertEquals(3 * 4, corpus.shards().count()); // 2 shards x 2 splits x 3 versions
        assertEquals(
                corpus.sequences().count(),
                corpus.shards().selectExpr("sum(rows)").first().getLong(0));
    }
}
