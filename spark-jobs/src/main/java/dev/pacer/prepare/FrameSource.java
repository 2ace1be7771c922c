package dev.pacer.prepare;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.pacer.config.ConfigError;
import dev.pacer.data.source.ReadOptions;
import dev.pacer.data.source.RecordCollector;
import dev.pacer.data.source.SourceCounts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;

/**
 * Documents from Spark SQL: a query, a catalog table or an application's DataFrame, checked on
 * its analysed schema (Spark resolves tables, columns and types without running the query) and
 * read as raw UTF-8 bytes, so invalid UTF-8 meets the same policy as in files. Records come in
 * the order of the result's partitions and rows: deterministic when the query's is (ORDER BY
 * makes it so).
 */
final class FrameSource {

    private final Dataset<Row> rows; // t: the text as binary, i: the id as string (or null)
    private final String description;
    private final String textColumn;

    private FrameSource(Dataset<Row> rows, String description, String textColumn) {
        this.rows = rows;
        this.description = description;
        this.textColumn = textColumn;
    }

    /** Analyses {@code input} in {@code spark}; a bad query, table or column is a one-line ConfigError. */
    static FrameSource resolve(CorpusInput input, SparkSession spark) {
        if (input instanceof CorpusInput.Sql q) {
            String query = q.query().strip().replaceAll(";+\\s*$", "");
            // a subquery admits queries only: a DROP or INSERT given as --sql fails to parse instead of running
            Dataset<Row> df = analyse(() -> spark.sql("SELECT * FROM (\n" + query + "\n)"), "--sql", true);
            return strict(df, q.textColumn(), q.idColumn());
        }
        if (input instanceof CorpusInput.Table t) {
            Dataset<Row> df = analyse(() -> spark.table(t.name()), "--table " + t.name(), false);
            return named(df, t.textColumn(), t.idColumn(), "table " + t.name(), "--text-column", "--id-column");
        }
        if (input instanceof CorpusInput.Frame f) {
            return named(f.frame(), f.textColumn(), f.idColumn(), "dataframe " + f.name(), "text column", "id column");
        }
        throw new IllegalArgumentException("not a Spark SQL input: " + input);
    }

    private interface Analysis {
        Dataset<Row> run() throws Exception;
    }

    private static Dataset<Row> analyse(Analysis a, String option, boolean wrapped) {
        try {
            return a.run();
        } catch (Exception e) { // Spark's AnalysisException is checked but thrown from Scala unannounced
            if (e instanceof AnalysisException) {
                String message =
                        e.getMessage() == null ? e.toString() : e.getMessage().strip();
                String first = message.lines().findFirst().orElse("").replaceAll("\\s*;?\\s*$", "");
                if (wrapped) { // the user's query, not the subquery around it: its lines, no missing ')'
                    first = shiftLines(first).replace(": missing ')'", "");
                }
                throw new ConfigError(option + ": " + first);
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    static String shiftLines(String message) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(line )(\\d+)").matcher(message);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, m.group(1) + Math.max(1, Integer.parseInt(m.group(2)) - 1));
        }
        return m.appendTail(out).toString();
    }

    /**
     * A query's result: exactly a string text column and at most an id column. Without names, the
     * text is the column "text" or the only column besides the id, and the id the column "id".
     */
    private static FrameSource strict(Dataset<Row> df, String text, String id) {
        StructType schema = df.schema();
        String columns = describe(schema);
        String idName = id != null
                ? find(schema, id)
                        .orElseThrow(() -> new ConfigError("--id-column " + id
                                + ": the query's result has no such column (columns: " + columns + ")"))
                : find(schema, "id").orElse(null);
        List<String> others = Arrays.stream(schema.fieldNames())
                .filter(n -> !n.equals(idName))
                .toList();
        String textName = text != null
                ? find(schema, text)
                        .orElseThrow(() -> new ConfigError("--text-column " + text
                                + ": the query's result has no such column (columns: " + columns + ")"))
                : find(schema, "text").orElse(others.size() == 1 ? others.get(0) : null);
        if (textName == null || others.size() != 1 || textName.equals(idName)) {
            throw new ConfigError("--sql: the query's result has columns " + columns + "; expected one string"
                    + " column with the text (named text, or --text-column) and at most an id column (named id,"
                    + " or --id-column): select only those, e.g. SELECT body AS text, doc_id AS id FROM ...");
        }
        return select(df, textName, idName, "the query's result", "--sql");
    }

    private static FrameSource named(
            Dataset<Row> df, String text, String id, String what, String textOption, String idOption) {
        StructType schema = df.schema();
        String textName = find(schema, text)
                .orElseThrow(() -> new ConfigError(textOption + " " + text + ": " + what + " has no such column"
                        + " (columns: " + describe(schema) + ")"));
        String idName = id == null
                ? null
                : find(schema, id)
                        .orElseThrow(() -> new ConfigError(idOption + " " + id + ": " + what + " has no such column"
                                + " (columns: " + describe(schema) + ")"));
        return select(df, textName, idName, what, textOption);
    }

    private static FrameSource select(Dataset<Row> df, String text, String id, String what, String option) {
        DataType textType = df.schema().apply(text).dataType();
        if (!(textType instanceof StringType)) {
            throw new ConfigError(option + ": column " + text + " of " + what + " is of type "
                    + textType.simpleString() + ", not a string; select the column holding the text"
                    + " (or cast it: CAST(" + text + " AS STRING))");
        }
        if (id != null) {
            DataType idType = df.schema().apply(id).dataType();
            if (idType instanceof StructType || idType instanceof ArrayType || idType instanceof MapType) {
                throw new ConfigError(option + ": id column " + id + " of " + what + " is of type "
                        + idType.simpleString() + "; an id must be a single value (a string or a number)");
            }
        }
        Dataset<Row> rows = df.select(
                col(quote(text)).cast("binary").as("t"),
                id == null
                        ? lit(null).cast("string").as("i")
                        : col(quote(id)).cast("string").as("i"));
        return new FrameSource(rows, what, text);
    }

    private static Optional<String> find(StructType schema, String name) {
        List<String> hits = Arrays.stream(schema.fieldNames())
                .filter(n -> n.equalsIgnoreCase(name))
                .toList();
        return hits.size() == 1 ? Optional.of(hits.get(0)) : Optional.empty();
    }

    private static String describe(StructType schema) {
        return Arrays.stream(schema.fields())
                .map(f -> f.name() + " " + f.dataType().simpleString())
                .collect(Collectors.joining(", "));
    }

    private static String quote(String name) {
        return "`" + name.replace("`", "``") + "`";
    }

    /** What the manifest's skip examples call this source. */
    String description() {
        return description;
    }

    /** The read stage: each partition's documents in row order, then its counts. */
    JavaRDD<SourceItem> read(ReadOptions options) {
        String where = description;
        String column = textColumn;
        return rows.javaRDD()
                .mapPartitionsWithIndex(
                        (p, it) -> {
                            List<SourceItem> out = new ArrayList<>();
                            SourceCounts counts = new SourceCounts();
                            String[] id = {null};
                            RecordCollector c =
                                    new RecordCollector(options, counts, t -> out.add(SourceItem.document(t, id[0])));
                            c.startFile(where + " partition " + p, "row");
                            long row = 0;
                            while (it.hasNext()) {
                                Row r = it.next();
                                row++;
                                id[0] = r.isNullAt(1) ? null : r.getString(1);
                                ParquetSource.collect(c, r, 0, row, column);
                            }
                            out.add(SourceItem.summary(counts));
                            return out.iterator();
                        },
                        true);
    }
}
