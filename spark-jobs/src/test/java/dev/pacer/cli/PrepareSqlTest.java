package dev.pacer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.testing.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * {@code prepare --sql} and {@code --table} in Pacer's session on local[2]: a temporary view, a
 * table saved in the session catalog's warehouse and Spark's file-path syntax give the same
 * shards, byte for byte, as the same documents in a text file; bad queries are one-line errors
 * (exit 2) before any Spark job.
 */
class PrepareSqlTest {

    @TempDir
    static Path dir;

    private static SparkSession spark;
    private static LocalSpark.JobCounter jobs;
    private static final List<String> EN = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        spark = LocalSpark.start("prepare-sql-test", dir.resolve("warehouse"));
        jobs = new LocalSpark.JobCounter(spark);
        StructType schema = new StructType()
                .add("id", DataTypes.LongType)
                .add("body", DataTypes.StringType)
                .add("lang", DataTypes.StringType)
                .add("views", DataTypes.IntegerType);
        List<Row> rows = new ArrayList<>();
        StringBuilder jsonl = new StringBuilder();
        for (long i = 0; i < 40; i++) {
            String lang = i % 3 == 0 ? "de" : "en";
            String body = "Document " + i + " (" + lang + "): the committee " + "reviewed ".repeat((int) i % 4)
                    + "the report, " + "Straße ".repeat((int) i % 2) + "line " + i * 7 + ".";
            rows.add(RowFactory.create(i, body, lang, (int) i));
            jsonl.append(new ObjectMapper()
                            .createObjectNode()
                            .put("id", i)
                            .put("text", body)
                            .put("lang", lang))
                    .append('\n');
            if (lang.equals("en")) {
                EN.add(body);
            }
        }
        var frame = spark.createDataFrame(rows, schema).coalesce(1);
        frame.createOrReplaceTempView("docs");
        frame.write().saveAsTable("saved_docs");
        Files.writeString(dir.resolve("docs.jsonl"), jsonl);
        Files.write(dir.resolve("en.txt"), EN);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static String[] prepare(Path out, String... source) {
        List<String> args = new ArrayList<>(List.of("prepare", "--output", out.toString()));
        args.addAll(List.of(source));
        args.addAll(List.of("--set", "pacer.data.shards=2", "--set", "pacer.data.seq-len=16"));
        return args.toArray(String[]::new);
    }

    @Test
    void viewTableAndFilePathGiveTheShardsOfTheSameTextFile() throws Exception {
        Path reference = dir.resolve("from-text");
        assertEquals(
                0,
                LocalSpark.cli(prepare(
                                reference, "--input", dir.resolve("en.txt").toString()))
                        .code());
        List<String> want = LocalSpark.shardDigests(reference);

        Path view = dir.resolve("from-view");
        LocalSpark.Run r = LocalSpark.cli(
                prepare(view, "--sql", "SELECT body AS text, id FROM docs WHERE lang = 'en' ORDER BY id;"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("prepared") && r.out().contains(EN.size() + " documents"), r.out());
        assertEquals(want, LocalSpark.shardDigests(view));

        Path table = dir.resolve("from-table");
        r = LocalSpark.cli(prepare(table, "--table", "saved_docs", "--text-column", "body", "--id-column", "id"));
        assertEquals(0, r.code(), r.err());
        // the table holds German rows too: compare it with a query that keeps them
        Path all = dir.resolve("from-view-all");
        assertEquals(
                0,
                LocalSpark.cli(prepare(all, "--sql", "SELECT body FROM docs ORDER BY id"))
                        .code());
        assertEquals(LocalSpark.shardDigests(all), LocalSpark.shardDigests(table));

        String uri = dir.resolve("docs.jsonl").toUri().toString();
        Path files = dir.resolve("from-file-path");
        r = LocalSpark.cli(
                prepare(files, "--sql", "SELECT text FROM json.`" + uri + "` WHERE lang = 'en' ORDER BY id"));
        assertEquals(0, r.code(), r.err());
        assertEquals(want, LocalSpark.shardDigests(files));

        // the document index keeps the ids, in the query's order
        List<Row> index = spark.read()
                .parquet(view.resolve("documents").toString())
                .orderBy("document_index")
                .collectAsList();
        assertEquals(EN.size(), index.size());
        long previous = -1;
        for (Row row : index) {
            long id = Long.parseLong(row.getString(row.fieldIndex("id")));
            assertTrue(id > previous && id % 3 != 0, "ids in ORDER BY order, English only: " + id);
            previous = id;
        }
        JsonNode manifest = new ObjectMapper().readTree(Files.readAllBytes(view.resolve("manifest.json")));
        assertEquals("spark-sql", manifest.path("settings").path("format").asText());
        assertTrue(manifest.path("sources").get(0).path("input").asText().startsWith("sql: SELECT body AS text"));
    }

    @Test
    void badQueriesAreOneLineErrorsBeforeAnyJob() throws Exception {
        Path out = dir.resolve("never");
        String[][] cases = {
            {"--sql", "SELECT body AS text FORM docs", "PARSE_SYNTAX_ERROR", "line 1"},
            {"--sql", "SELECT text FROM no_such_table", "TABLE_OR_VIEW_NOT_FOUND", "no_such_table"},
            {"--sql", "SELECT nope AS text FROM docs", "nope", "UNRESOLVED_COLUMN"},
            {"--sql", "SELECT body, lang FROM docs", "body string, lang string", "one string"},
            {"--sql", "SELECT views AS text FROM docs", "text of the query's result is of type int", "not a string"},
            {"--sql", "SELECT body AS text, id, lang FROM docs", "id bigint, lang string", "at most an id"},
            {"--sql", "SELECT body FROM docs", "--text-column", "no such column", "--text-column", "text"},
            {"--sql", "DROP TABLE saved_docs", "PARSE_SYNTAX_ERROR", "line 1"},
            {"--table", "no_such_table", "TABLE_OR_VIEW_NOT_FOUND", "--table no_such_table"},
            {"--table", "docs", "--text-column no_text", "no such column", "--text-column", "no_text"},
            {"--table", "docs", "views", "not a string", "--text-column", "views"},
        };
        int before = jobs.count();
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of(c[0], c[1]));
            args.addAll(List.of(c).subList(4, c.length));
            LocalSpark.Run r = LocalSpark.cli(prepare(out, args.toArray(String[]::new)));
            String err = r.err().strip();
            assertEquals(2, r.code(), String.join(" ", c) + ": " + err);
            assertEquals(1, err.lines().count(), err);
            assertTrue(err.startsWith("pacer: configuration error: "), err);
            assertTrue(err.contains(c[2]) && err.contains(c[3]), String.join(" ", c) + ": " + err);
            assertFalse(err.contains("missing ')'"), "the subquery around the query shows: " + err);
        }
        assertEquals(before, jobs.count(), "a Spark job ran for a bad query");
        assertFalse(Files.exists(out), "a bad query wrote its output");
        assertTrue(spark.catalog().tableExists("saved_docs"), "--sql ran a DROP TABLE");
    }
}
