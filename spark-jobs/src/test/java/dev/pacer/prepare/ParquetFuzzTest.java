package dev.pacer.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.data.CorpusException;
import dev.pacer.data.source.InputUnit;
import dev.pacer.data.source.ReadOptions;
import dev.pacer.data.source.SourceFormat;
import dev.pacer.data.source.TextUnit;
import dev.pacer.data.source.Utf8Policy;
import dev.pacer.fuzz.Fuzz;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random and mutated Parquet files through the prepare job's reader (Spark's Parquet source):
 * each is refused with a one-line {@link CorpusException} naming the file (what the prepare job
 * makes of Spark's failure) or read, with null texts skipped and counted. Fewer cases than the
 * other formats: each one is a Spark job.
 */
class ParquetFuzzTest {

    private static final int CASES = 40;

    @TempDir
    Path dir;

    @Test
    void everyDamagedParquetFileIsRefusedInOneLineOrRead() throws Exception {
        SparkSession spark = SparkSession.builder()
                .master("local[1]")
                .appName("parquet-fuzz")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "1")
                .config("spark.sql.adaptive.enabled", "false")
                .getOrCreate();
        try {
            StructType schema = new StructType().add("id", DataTypes.LongType).add("text", DataTypes.StringType);
            List<org.apache.spark.sql.Row> rows = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                rows.add(RowFactory.create((long) i, i % 5 == 4 ? null : "parquet text " + i + " caf\u00e9"));
            }
            Path written = dir.resolve("seed");
            spark.createDataFrame(rows, schema).coalesce(1).write().parquet(written.toString());
            byte[] seed;
            try (Stream<Path> files = Files.list(written)) {
                seed = Files.readAllBytes(files.filter(f -> f.toString().endsWith(".parquet"))
                        .findFirst()
                        .orElseThrow());
            }
            ReadOptions options = new ReadOptions(TextUnit.LINE, "text", Utf8Policy.REPLACE, 0.05);
            int[] n = {0};
            Fuzz.Summary s = Fuzz.run(
                    "parquet",
                    31,
                    CASES,
                    Long.MAX_VALUE, // the reading happens on Spark's task threads
                    Fuzz.mix(List.of(seed), false),
                    in -> {
                        // a new name each case: Spark caches what it learnt about a path
                        Path f = Files.write(dir.resolve("case-" + n[0]++ + ".parquet"), in);
                        InputUnit unit = new InputUnit(f.toString(), SourceFormat.PARQUET, in.length, f.toString());
                        try {
                            List<SourceItem> items = ParquetSource.read(spark, List.of(unit), options)
                                    .collect();
                            return items.stream()
                                    .filter(i -> !i.isDocument())
                                    .mapToLong(i ->
                                            i.counts().records() - i.counts().documents())
                                    .sum();
                        } catch (Exception e) {
                            RuntimeException explained = PrepareJob.explain(e);
                            if (explained instanceof CorpusException c
                                    && !c.getMessage().contains(f.getFileName().toString())) {
                                throw new AssertionError("the refusal does not name the file: " + c.getMessage(), c);
                            }
                            throw explained;
                        }
                    },
                    CorpusException.class);
            assertEquals(List.of(), s.crashes(), s.line());
            assertTrue(s.refused() > CASES / 2, s.line());
        } finally {
            spark.stop();
        }
    }
}
