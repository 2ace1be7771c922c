package dev.pacer.prepare;

import dev.pacer.data.BundledCorpus;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Where {@code prepare} reads its documents from: files on any Hadoop file system, a SQL query or
 * a table of the Spark session's catalog, or a DataFrame an application built. The last three are
 * read through Spark SQL ({@link FrameSource}); their text column must be a string.
 */
public sealed interface CorpusInput {

    /** The inputs as the manifest records them (and its config digest covers). */
    List<String> names();

    /** Files, directories or globs, in order; none = the bundled corpus. */
    static CorpusInput files(List<String> paths) {
        return new Files(List.copyOf(paths));
    }

    /** The result of {@code query}: a string text column and optionally an id column, nothing else. */
    static CorpusInput sql(String query, String textColumn, String idColumn) {
        return new Sql(query, textColumn, idColumn);
    }

    /** Column {@code textColumn} (and {@code idColumn}, if not null) of the catalog table {@code name}. */
    static CorpusInput table(String name, String textColumn, String idColumn) {
        return new Table(name, textColumn, idColumn);
    }

    /** Column {@code textColumn} (and {@code idColumn}, if not null) of {@code frame}; {@code name} names it. */
    static CorpusInput frame(Dataset<Row> frame, String textColumn, String idColumn, String name) {
        return new Frame(frame, textColumn, idColumn, name);
    }

    /** Files read by Pacer's own readers (text, JSON Lines, Hugging Face) and Spark's Parquet reader. */
    record Files(List<String> paths) implements CorpusInput {
        @Override
        public List<String> names() {
            return paths.isEmpty() ? List.of(BundledCorpus.NAME) : paths;
        }
    }

    /**
     * A SQL query run in the prepare job's session.
     *
     * @param textColumn the result's text column; null = "text", or the only column besides the id
     * @param idColumn the result's id column; null = "id" if the result has one
     */
    record Sql(String query, String textColumn, String idColumn) implements CorpusInput {
        public Sql {
            Objects.requireNonNull(query, "query");
        }

        @Override
        public List<String> names() {
            return List.of("sql: " + query.strip());
        }
    }

    /** A table or view of the session's catalog. */
    record Table(String name, String textColumn, String idColumn) implements CorpusInput {
        public Table {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(textColumn, "textColumn");
        }

        @Override
        public List<String> names() {
            return List.of(
                    "table: " + name + " (text " + textColumn + (idColumn == null ? "" : ", id " + idColumn) + ")");
        }
    }

    /** A DataFrame of an application's session. */
    record Frame(Dataset<Row> frame, String textColumn, String idColumn, String name) implements CorpusInput {
        public Frame {
            Objects.requireNonNull(frame, "frame");
            Objects.requireNonNull(textColumn, "textColumn");
            Objects.requireNonNull(name, "name");
        }

        @Override
        public List<String> names() {
            return List.of("dataframe: " + name);
        }
    }
}
