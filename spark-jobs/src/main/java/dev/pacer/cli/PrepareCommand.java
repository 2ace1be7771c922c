package dev.pacer.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.pacer.api.CorpusPreparation;
import dev.pacer.api.PreparationResult;
import dev.pacer.config.ConfigError;
import dev.pacer.run.PacerSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pacer prepare}: turn a corpus into a prepared dataset (token shards + manifest), or grow one. */
@Command(
        name = "prepare",
        mixinStandardHelpOptions = true,
        description = "Tokenize, pack and shard a corpus (text, JSON Lines, Parquet, Hugging Face save_to_disk,"
                + " a SQL query or a table) into a prepared dataset for pretrain (pacer.data.path).")
public final class PrepareCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Option(
            names = "--input",
            paramLabel = "URI",
            arity = "1..*",
            description = "Corpus files, directories or globs on any Hadoop file system (file://, hdfs://, s3a://);"
                    + " repeatable. Default: the bundled Europarl sample.")
    List<String> inputs = new ArrayList<>();

    @Option(
            names = "--sql",
            paramLabel = "QUERY",
            description = "A Spark SQL query run in Pacer's session: one string column with the text (and an"
                    + " optional id column), e.g. \"SELECT body AS text FROM docs\" or"
                    + " \"SELECT text FROM json.`hdfs:///docs/`\".")
    String sql;

    @Option(
            names = "--table",
            paramLabel = "NAME",
            description = "A table or view of the session's catalog; its --text-column holds the text.")
    String table;

    @Option(
            names = "--text-column",
            paramLabel = "COL",
            description = "The text column of --table (default: text) or of the --sql result.")
    String textColumn;

    @Option(
            names = "--id-column",
            paramLabel = "COL",
            description = "A column of --table or --sql whose value the document index records (default for"
                    + " --sql: id, if the result has it).")
    String idColumn;

    @Option(
            names = "--output",
            paramLabel = "URI",
            required = true,
            description = "Directory to write the dataset to (manifest.json, train/, validation/, documents/).")
    String output;

    @Option(names = "--overwrite", description = "Replace an output that already holds a complete dataset.")
    boolean overwrite;

    @Option(
            names = "--append",
            description = "Add the documents the dataset at --output does not hold yet (by content hash) as its"
                    + " next version; creates the dataset if there is none.")
    boolean append;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (pacer.spark.master).")
    String master;

    @Override
    public Integer call() throws Exception {
        Config extra = ConfigFactory.empty();
        if (master != null) {
            extra = extra.withValue("pacer.spark.master", ConfigValueFactory.fromAnyRef(master, "--master"));
        }
        CorpusPreparation preparation = preparation();
        PacerSettings settings = config.settings(extra);
        if (overwrite) {
            preparation.overwrite();
        } else if (append) {
            preparation.append();
        }
        PreparationResult r = preparation.settings(settings).writeTo(output);
        System.out.println("pacer: " + summary(r));
        return 0;
    }

    /** The source the options name; usage errors (exit 2) before anything starts. */
    private CorpusPreparation preparation() {
        int sources = (inputs.isEmpty() ? 0 : 1) + (sql == null ? 0 : 1) + (table == null ? 0 : 1);
        if (sources > 1) {
            throw new ConfigError("give one of --input, --sql and --table, not several");
        }
        if (overwrite && append) {
            throw new ConfigError("--overwrite and --append exclude each other: --overwrite replaces the dataset,"
                    + " --append grows it");
        }
        if (sql != null) {
            if (sql.isBlank()) {
                throw new ConfigError("--sql is empty; give a query, e.g. --sql \"SELECT body AS text FROM docs\"");
            }
            return CorpusPreparation.fromSql(sql).textColumn(textColumn).idColumn(idColumn);
        }
        if (table != null) {
            return CorpusPreparation.fromTable(table, textColumn == null ? "text" : textColumn)
                    .idColumn(idColumn);
        }
        if (textColumn != null || idColumn != null) {
            throw new ConfigError("--text-column and --id-column apply to --sql and --table; for files set"
                    + " pacer.data.text-field");
        }
        return CorpusPreparation.fromFiles(inputs);
    }

    static String summary(PreparationResult r) {
        return switch (r.status()) {
            case ALREADY_COMPLETE, ALREADY_COMPLETE_OTHER_SETTINGS ->
                String.format(
                        "%s already holds a prepared dataset (%,d tokens in version 1%s%s); left as it is"
                                + " (--overwrite replaces it, --append adds what it does not hold)",
                        r.output(),
                        r.tokens(),
                        r.version() > 1 ? ", " + r.version() + " versions" : "",
                        r.settingsDiffer() ? ", from other inputs or settings" : "");
            case NOTHING_NEW ->
                String.format(
                        "%s: nothing new: %,d documents read, %,d already in versions 1 to %d (skipped %s);"
                                + " no version added; %.1f s",
                        r.output(), r.documentsRead(), r.seenBefore(), r.version(), r.skipped(), r.seconds());
            case PREPARED, APPENDED ->
                String.format(
                        "%s %s: %,d documents, %,d tokens (vocabulary %d), %,d train + %,d validation sequences of %d"
                                + " tokens in %d+%d shards; skipped %s; %.1f s, %,.0f tokens/s",
                        r.status() == dev.pacer.prepare.PrepareJob.Status.APPENDED ? "appended version" : "prepared",
                        r.status() == dev.pacer.prepare.PrepareJob.Status.APPENDED
                                ? r.version() + " to " + r.output()
                                : r.output(),
                        r.documents(),
                        r.tokens(),
                        r.vocabSize(),
                        r.trainSequences(),
                        r.validationSequences(),
                        r.seqLen(),
                        r.shards(),
                        r.shards(),
                        r.skipped(),
                        r.seconds(),
                        r.tokens() / r.seconds());
        };
    }
}
