package dev.pacer.api;

import dev.pacer.prepare.CorpusInput;
import dev.pacer.prepare.PrepareJob;
import dev.pacer.run.PacerSettings;
import java.io.IOException;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Prepares a corpus: tokenizes, packs and shards documents into a prepared dataset that
 * {@link Pretraining} (or {@code bin/pacer pretrain --set pacer.data.path=...}) trains on. The same
 * job as {@code bin/pacer prepare}, which is a thin layer over this class.
 *
 * <pre>{@code
 * Dataset<Row> docs = spark.table("lake.documents").where("lang = 'en'");
 * PreparationResult r = CorpusPreparation.fromDataFrame(docs, "body")
 *         .idColumn("doc_id")
 *         .tokenizer("hdfs:///tokenizers/gpt2/tokenizer.json")
 *         .append()                       // add only documents not in the dataset yet
 *         .writeTo("hdfs:///pacer/data/web");
 * }</pre>
 *
 * <p>A DataFrame is read in the order of its partitions and rows; give it an {@code orderBy} for
 * a dataset that is byte-identical on every run. Its session is used and left running. A bad
 * setting, query, table or column throws {@link dev.pacer.config.ConfigError} before any Spark job;
 * unusable input throws {@link dev.pacer.data.CorpusException}. Not thread-safe; one instance
 * prepares once.
 */
public final class CorpusPreparation {

    private final CorpusInput.Sql sql;
    private final CorpusInput.Table table;
    private final Dataset<Row> frame;
    private final List<String> files;
    private String textColumn;
    private String idColumn;
    private String name = "dataframe";
    private PacerConfig config = PacerConfig.defaults();
    private PacerSettings settings;
    private String tokenizer;
    private PrepareJob.Mode mode = PrepareJob.Mode.CREATE;
    private SparkSession session;

    private CorpusPreparation(
            CorpusInput.Sql sql, CorpusInput.Table table, Dataset<Row> frame, List<String> files, String text) {
        this.sql = sql;
        this.table = table;
        this.frame = frame;
        this.files = files;
        this.textColumn = text;
    }

    /** The string column {@code textColumn} of {@code frame}; other columns are ignored. */
    public static CorpusPreparation fromDataFrame(Dataset<Row> frame, String textColumn) {
        return new CorpusPreparation(null, null, frame, null, textColumn);
    }

    /**
     * The result of a SQL query run in the preparation's session: it must hold exactly one string
     * column with the text (named {@code text}, the only column, or set by {@link #textColumn}) and at
     * most an id column ({@code id}, or set by {@link #idColumn}). Spark's file-path syntax works,
     * e.g. {@code SELECT text FROM json.`hdfs:///docs/2025-06-01/` WHERE lang = 'en'}.
     */
    public static CorpusPreparation fromSql(String query) {
        return new CorpusPreparation(new CorpusInput.Sql(query, null, null), null, null, null, null);
    }

    /** Column {@code textColumn} of a table or view of the session's catalog. */
    public static CorpusPreparation fromTable(String table, String textColumn) {
        return new CorpusPreparation(null, new CorpusInput.Table(table, textColumn, null), null, null, textColumn);
    }

    /** Files, directories or globs on any Hadoop file system (text, JSON Lines, Parquet, Hugging Face). */
    public static CorpusPreparation fromFiles(List<String> paths) {
        return new CorpusPreparation(null, null, null, List.copyOf(paths), null);
    }

    /** The text column (of a query's result; for a table or DataFrame, the one given at the start). */
    public CorpusPreparation textColumn(String column) {
        this.textColumn = column;
        return this;
    }

    /** A column whose value (cast to a string) the document index records for each document. */
    public CorpusPreparation idColumn(String column) {
        this.idColumn = column;
        return this;
    }

    /** How the manifest names a DataFrame input ("dataframe: NAME"); default "dataframe". */
    public CorpusPreparation name(String name) {
        this.name = name;
        return this;
    }

    /** {@code byte} (the default) or the location of a Hugging Face {@code tokenizer.json}. */
    public CorpusPreparation tokenizer(String tokenizer) {
        this.tokenizer = tokenizer;
        return this;
    }

    /** Settings for everything else ({@code pacer.data.*}: shards, sequence length, deduplication, ...). */
    public CorpusPreparation config(PacerConfig config) {
        this.config = config;
        return this;
    }

    /** Settings already built (the command line's); {@link #config} is then not used. */
    public CorpusPreparation settings(PacerSettings settings) {
        this.settings = settings;
        return this;
    }

    /** Replace a complete dataset at the output instead of leaving it alone. */
    public CorpusPreparation overwrite() {
        this.mode = PrepareJob.Mode.OVERWRITE;
        return this;
    }

    /**
     * Grow the dataset at the output: documents it does not hold yet (by content hash) become its
     * next version; none new, nothing is written. Packing settings come from the dataset.
     */
    public CorpusPreparation append() {
        this.mode = PrepareJob.Mode.APPEND;
        return this;
    }

    /** The session to run in (left running); default: the DataFrame's, else the running one, else a new one. */
    public CorpusPreparation inSession(SparkSession spark) {
        this.session = spark;
        return this;
    }

    /** Prepares the corpus into {@code output} (any Hadoop file system URI or a local path). */
    public PreparationResult writeTo(String output) throws IOException {
        PacerConfig c = config;
        if (tokenizer != null) {
            c = settings != null
                    ? PacerConfig.defaults().withConfig(settings.resolved()).set("pacer.data.tokenizer", tokenizer)
                    : c.set("pacer.data.tokenizer", tokenizer);
        }
        PacerSettings s = settings != null && tokenizer == null ? settings : c.settings();
        PrepareJob job = new PrepareJob(s, input(), output, mode);
        if (session != null) {
            job.inSession(session);
        }
        return PreparationResult.of(job.run());
    }

    private CorpusInput input() {
        if (sql != null) {
            return CorpusInput.sql(sql.query(), textColumn, idColumn);
        }
        if (table != null) {
            return CorpusInput.table(table.name(), textColumn, idColumn);
        }
        if (frame != null) {
            return CorpusInput.frame(frame, textColumn, idColumn, name);
        }
        return CorpusInput.files(files);
    }
}
