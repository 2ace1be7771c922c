package dev.pacer.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.config.ConfigError;
import dev.pacer.data.BundledCorpus;
import dev.pacer.data.CorpusException;
import dev.pacer.data.CorpusPartition;
import dev.pacer.data.DataSettings;
import dev.pacer.data.DocumentSplit;
import dev.pacer.data.HadoopConf;
import dev.pacer.data.shard.PreparedDataset;
import dev.pacer.data.shard.ShardInfo;
import dev.pacer.data.source.InputUnit;
import dev.pacer.data.tokenize.TokenizerSpec;
import dev.pacer.prepare.PrepareJob;
import dev.pacer.run.JsonLinesLog;
import dev.pacer.run.PacerSettings;
import dev.pacer.run.RunStorage;
import dev.pacer.run.RunTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training corpus as a cached RDD with one {@link CorpusPartition} per partition. With
 * {@code pacer.data.path} set it is a prepared dataset: partition {@code p} of {@code P} loads
 * shards {@code p, p + P, ...} of each split. Without, the bundled corpus is prepared on the fly:
 * each task reads it whole and keeps documents {@code p, p + P, ...}. Either way no token travels
 * from the driver, and a lost cached partition is rebuilt from the same source.
 */
public final class CorpusData implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CorpusData.class);

    private final DataSettings settings;
    private final int partitions;
    private final int packedLength;
    private final PreparedDataset dataset;
    private final TokenizerSpec tokenizer;
    private final HadoopConf hadoop;

    private CorpusData(DataSettings settings, int partitions, int seqLen, Configuration conf) {
        this.settings = settings;
        this.partitions = partitions;
        this.packedLength = seqLen + 1;
        this.hadoop = new HadoopConf(conf);
        try {
            if (settings.bundled()) {
                this.dataset = null;
                this.tokenizer = TokenizerSpec.resolve(settings.tokenizer(), settings.endOfDocument(), conf);
                try (InputStream in = BundledCorpus.open()) {
                    in.read();
                }
            } else {
                this.dataset = DataVersions.choose(PreparedDataset.open(settings.path(), conf), settings.version());
                this.tokenizer = dataset.tokenizer(conf);
            }
        } catch (CorpusException | IOException e) {
            throw new ConfigError(
                    settings.bundled()
                            ? e.getMessage()
                            : "pacer.data.path: " + e.getMessage()
                                    + "; prepare one with: bin/pacer prepare --input CORPUS... --output DIR, then set"
                                    + " pacer.data.path=DIR (or leave it empty for the bundled corpus)");
        }
    }

    /** For callers without a run (benchmarks): no check against the run's checkpoints. */
    public CorpusData(DataSettings settings, int partitions, int seqLen) {
        this(settings, partitions, seqLen, new Configuration());
    }

    /**
     * Opens and checks the configured data on the driver, before Spark starts: the dataset's
     * manifest, its shard count against the partitions, the sequences every partition will hold,
     * and its tokenizer and vocabulary against the run's newest checkpoint. Every failure is a
     * one-line {@link ConfigError}.
     */
    public static CorpusData open(PacerSettings settings, Configuration conf) {
        RunStorage run = new RunStorage(settings.runDir(), conf);
        CorpusData data;
        try {
            data = new CorpusData(
                    settings.data(),
                    settings.partitions(),
                    settings.train().seqLen(),
                    PrepareJob.hadoopConf(settings, conf));
        } catch (ConfigError e) {
            throw RunTokenizer.withRecord(run, e);
        }
        data.checkShards(settings);
        VocabularyCheck.againstCheckpoint(settings, conf, data.vocabSize(), data.describe());
        if (data.dataset != null) {
            DataVersions.againstCheckpoint(settings, PrepareJob.hadoopConf(settings, conf), data.dataset);
        }
        RunTokenizer.checkResume(run, data.tokenizer, data.describe());
        return data;
    }

    /** A checkpoint's state.json extras with the dataset version trained on (none for the bundled corpus). */
    public ObjectNode recordVersion(ObjectNode stateJson) {
        return DataVersions.record(stateJson, dataset);
    }

    /**
     * Appends a {@code data_version} event when the run resumes from the checkpoint directory
     * {@code resumedFrom} (null: a new run) that trained on another version of this dataset.
     */
    public void logVersionChange(String resumedFrom, long step, JsonLinesLog events) throws IOException {
        if (dataset != null && resumedFrom != null) {
            DataVersions.logChange(DataVersions.stateOf(resumedFrom, hadoop.get()), step, dataset, events);
        }
    }

    private void checkShards(PacerSettings s) {
        if (dataset == null) {
            return;
        }
        var m = dataset.manifest();
        if (!s.data().tokenizer().equals(TokenizerSpec.BYTE)
                && !s.data().tokenizer().equals(m.tokenizer().source())) {
            LOG.warn(
                    "pacer.data.tokenizer = {} is ignored: dataset {} was prepared with tokenizer {}",
                    s.data().tokenizer(),
                    dataset.root(),
                    m.tokenizer().source());
        }
        if (m.shardCount() < partitions) {
            throw new ConfigError("pacer.spark.partitions = " + partitions + " but dataset " + dataset.root()
                    + " has " + m.shardCount() + " shards per split; lower the partitions or prepare it again with"
                    + " --set pacer.data.shards=" + partitions + " (or a multiple)");
        }
        long[] train = dataset.sequencesPerPartition(ShardInfo.TRAIN, partitions, packedLength);
        for (int p = 0; p < partitions; p++) {
            if (train[p] == 0) {
                throw new ConfigError("dataset " + dataset.root() + " leaves partition " + p + " of " + partitions
                        + " without a training sequence of " + packedLength + " tokens; lower pacer.spark.partitions"
                        + " or pacer.train.seq-len, or prepare a larger corpus");
            }
        }
        if (IntStream.range(0, partitions)
                        .mapToLong(
                                p -> dataset.sequencesPerPartition(ShardInfo.VALIDATION, partitions, packedLength)[p])
                        .sum()
                == 0) {
            throw new ConfigError("dataset " + dataset.root() + " yields no validation sequence of " + packedLength
                    + " tokens; prepare it with a larger pacer.data.validation-fraction or a larger corpus");
        }
        if (m.seqLen() != packedLength - 1) {
            LOG.info(
                    "dataset {} was packed for sequences of {} tokens; re-cutting its token stream into {}",
                    dataset.root(),
                    m.seqLen(),
                    packedLength - 1);
        }
    }

    /** Token ids of the data: the model's embedding rows. */
    public int vocabSize() {
        return tokenizer.vocabSize();
    }

    /** The tokenizer of the data: pacer.data.tokenizer, or the one the dataset was prepared with. */
    public TokenizerSpec tokenizer() {
        return tokenizer;
    }

    public String describe() {
        if (dataset == null) {
            return BundledCorpus.NAME + (tokenizer.isByte() ? "" : " (tokenizer " + tokenizer.source() + ")");
        }
        return dataset.toString();
    }

    /** The prepared dataset (narrowed to the versions trained on), or null for the bundled corpus prepared on the fly. */
    public PreparedDataset dataset() {
        return dataset;
    }

    /**
     * The cached RDD of partitions. Its functions capture only what each needs, never this
     * object, and the large parts as broadcasts: the lineage is serialized for every job and read
     * by every task of every step, so the Hadoop configuration (about 110 KB written out property by
     * property, measured at about 15 ms of every job's start on {@code local[2]}), a prepared
     * dataset's list of parts and a tokenizer (a GPT-2 tokenizer.json is 1.5 MB) go once per
     * executor instead.
     */
    public JavaRDD<CorpusPartition> load(JavaSparkContext jsc) {
        List<Integer> ids = IntStream.range(0, partitions).boxed().toList();
        JavaRDD<Integer> indices = jsc.parallelize(ids, partitions);
        int parts = partitions;
        int length = packedLength;
        Broadcast<HadoopConf> conf = jsc.broadcast(hadoop);
        JavaRDD<CorpusPartition> rdd;
        if (dataset != null) {
            Broadcast<PreparedDataset> ds = jsc.broadcast(dataset);
            rdd = indices.map(p -> ds.value().loadPartition(p, parts, length, conf.value()));
        } else {
            Broadcast<TokenizerSpec> spec = jsc.broadcast(tokenizer);
            DataSettings s = settings;
            rdd = indices.map(p -> bundledPartition(s, conf.value(), spec.value(), p, parts, length));
        }
        return rdd.persist(StorageLevel.MEMORY_ONLY());
    }

    /** Every partition built in this JVM, in order: the same data without Spark (tests, local loops). */
    public List<CorpusPartition> loadHere() {
        return IntStream.range(0, partitions)
                .mapToObj(p -> dataset != null
                        ? dataset.loadPartition(p, partitions, packedLength, hadoop)
                        : bundledPartition(settings, hadoop, tokenizer, p, partitions, packedLength))
                .toList();
    }

    /** Partition {@code p} of the bundled corpus, prepared on the fly. */
    private static CorpusPartition bundledPartition(
            DataSettings s, HadoopConf conf, TokenizerSpec tokenizer, int p, int parts, int length) {
        return CorpusPartition.prepare(
                InputUnit.bundled(),
                s.readOptions(),
                conf.get(),
                tokenizer,
                p,
                parts,
                length,
                new DocumentSplit(s.validationFraction()),
                s.maxDocuments(),
                s.dedup());
    }
}
