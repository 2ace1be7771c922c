package dev.pacer.prepare;

import static org.apache.spark.sql.functions.col;

import dev.pacer.data.CorpusException;
import dev.pacer.data.source.InputUnit;
import dev.pacer.data.source.ReadOptions;
import dev.pacer.data.source.RecordCollector;
import dev.pacer.data.source.SkipReason;
import dev.pacer.data.source.SourceCounts;
import dev.pacer.run.TaskFailure;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;

/**
 * Parquet inputs through Spark's reader: the text column is read as raw bytes (so invalid UTF-8
 * is seen and handled by policy, not silently replaced), each row tagged with its file and its
 * row index inside the file ({@code _metadata}), then sorted by (file, row) so the records come
 * out in input order however Spark split the files.
 */
final class ParquetSource {

    private ParquetSource() {}

    static JavaRDD<SourceItem> read(SparkSession spark, List<InputUnit> units, ReadOptions options) {
        String[] paths = units.stream().map(InputUnit::path).toArray(String[]::new);
        String field = options.textField();
        Dataset<Row> df;
        try {
            df = spark.read().parquet(paths);
        } catch (Exception e) { // Spark throws its checked SparkException from Scala code
            throw TaskFailure.unreadableFile(e)
                    .orElseGet(() -> new CorpusException(
                            "Parquet input " + describe(paths) + ": "
                                    + CorpusException.firstLine(TaskFailure.original(e))
                                    + "; the file is corrupt or truncated",
                            e));
        }
        StructField f = Arrays.stream(df.schema().fields())
                .filter(x -> x.name().equals(field))
                .findFirst()
                .orElseThrow(() -> new CorpusException("Parquet input " + describe(paths) + ": no column '" + field
                        + "' (columns: " + String.join(", ", df.schema().fieldNames())
                        + "); set pacer.data.text-field to the column holding the text"));
        DataType type = f.dataType();
        if (!(type instanceof StringType) && !(type instanceof BinaryType)) {
            throw new CorpusException("Parquet input " + describe(paths) + ": column '" + field + "' is of type "
                    + type.simpleString() + ", not a string; set pacer.data.text-field to a string column");
        }
        Dataset<Row> ordered = df.select(
                        col("_metadata.file_path").as("f"),
                        col("_metadata.row_index").as("r"),
                        col("`" + field + "`").cast("binary").as("t"))
                .orderBy("f", "r");
        return ordered.javaRDD().mapPartitions(rows -> {
            List<SourceItem> out = new ArrayList<>();
            SourceCounts counts = new SourceCounts();
            RecordCollector c = new RecordCollector(options, counts, t -> out.add(SourceItem.document(t)));
            String file = null;
            while (rows.hasNext()) {
                Row r = rows.next();
                String path = r.getString(0);
                if (!path.equals(file)) {
                    file = path;
                    c.startFile(path, "row");
                }
                collect(c, r, 2, r.getLong(1) + 1, field);
            }
            c.endFile();
            out.add(SourceItem.summary(counts));
            return out.iterator();
        });
    }

    /**
     * Row {@code row}'s text, read as raw bytes from column {@code index} (so the UTF-8 policy sees
     * invalid bytes), into {@code c}; a null is a skipped record.
     */
    static void collect(RecordCollector c, Row r, int index, long row, String column) {
        if (r.isNullAt(index)) {
            c.skip(SkipReason.MISSING_FIELD, row, "column '" + column + "' is null");
            return;
        }
        byte[] bytes = (byte[]) r.get(index);
        String text = c.decode(bytes, 0, bytes.length, row);
        if (text != null) {
            c.text(text, row);
        }
    }

    private static String describe(String[] paths) {
        return paths.length == 1 ? paths[0] : paths[0] + " and " + (paths.length - 1) + " more";
    }
}
