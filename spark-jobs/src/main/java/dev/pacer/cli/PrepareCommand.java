package dev.pacer.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.pacer.data.shard.DatasetManifest;
import dev.pacer.data.shard.ShardInfo;
import dev.pacer.prepare.PrepareJob;
import dev.pacer.run.PacerSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pacer prepare}: turn a corpus into a prepared dataset (token shards + manifest). */
@Command(
        name = "prepare",
        mixinStandardHelpOptions = true,
        description = "Tokenize, pack and shard a corpus (text, JSON Lines, Parquet, Hugging Face save_to_disk)"
                + " into a prepared dataset for pretrain (pacer.data.path).")
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
            names = "--output",
            paramLabel = "URI",
            required = true,
            description = "Directory to write the dataset to (manifest.json, train/, validation/).")
    String output;

    @Option(names = "--overwrite", description = "Replace an output that already holds a complete dataset.")
    boolean overwrite;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (pacer.spark.master).")
    String master;

    @Override
    public Integer call() throws Exception {
        Config extra = ConfigFactory.empty();
        if (master != null) {
            extra = extra.withValue("pacer.spark.master", ConfigValueFactory.fromAnyRef(master, "--master"));
        }
        PacerSettings settings = config.settings(extra);
        PrepareJob.Result r = new PrepareJob(settings, inputs, output, overwrite).run();
        DatasetManifest m = r.manifest();
        long[] train = m.totals(ShardInfo.TRAIN);
        long[] val = m.totals(ShardInfo.VALIDATION);
        if (r.alreadyComplete()) {
            System.out.printf(
                    "pacer: %s already holds a prepared dataset (%,d tokens, created %s%s); left as it is"
                            + " (--overwrite replaces it)%n",
                    r.output(), r.tokens(), m.created(), r.settingsDiffer() ? ", from other inputs or settings" : "");
            return 0;
        }
        System.out.printf(
                "pacer: prepared %s: %,d documents, %,d tokens (vocabulary %d), %,d train + %,d validation"
                        + " sequences of %d tokens in %d+%d shards; skipped %s%s; %.1f s, %,.0f tokens/s%n",
                r.output(),
                train[0] + val[0],
                r.tokens(),
                m.tokenizer().vocabSize(),
                train[2],
                val[2],
                m.seqLen(),
                m.shardCount(),
                m.shardCount(),
                m.counts().describeSkipped(false),
                invalidUtf8Phrase(m.counts()),
                r.seconds(),
                r.tokens() / r.seconds());
        return 0;
    }

    /** "; invalid UTF-8: 3 records (5 sequences) replaced", or nothing for clean text. */
    static String invalidUtf8Phrase(dev.pacer.data.source.SourceCounts c) {
        if (c.invalidUtf8Records() == 0 && c.text().nulBytes() == 0) {
            return "";
        }
        String nul = c.text().nulBytes() == 0
                ? ""
                : String.format(", %,d NUL bytes", c.text().nulBytes());
        return String.format(
                "; invalid UTF-8: %,d records (%,d sequences) %s%s",
                c.invalidUtf8Records(),
                c.text().invalidUtf8Sequences(),
                c.utf8Replaced() > 0 ? "replaced" : "skipped",
                nul);
    }
}
