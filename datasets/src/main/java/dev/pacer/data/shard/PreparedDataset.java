package dev.pacer.data.shard;

import dev.pacer.data.CorpusException;
import dev.pacer.data.CorpusPartition;
import dev.pacer.data.HadoopConf;
import dev.pacer.data.TokenBlock;
import dev.pacer.data.tokenize.TokenizerInfo;
import dev.pacer.data.tokenize.TokenizerSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A prepared dataset (a directory with {@code manifest.json} and its shards), opened on the
 * driver and shipped to executors, where each training partition loads its shards. Shard
 * {@code i} of each split belongs to partition {@code i mod P}: deterministic, and with as many
 * shards as partitions (or a multiple) every partition holds the same number of shards.
 */
public final class PreparedDataset implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The copy of a tokenizer.json tokenizer kept next to the manifest. */
    public static final String TOKENIZER_FILE = "tokenizer.json";

    private final String root;
    private final DatasetManifest manifest;
    private final String manifestSha256;

    private PreparedDataset(String root, DatasetManifest manifest, String manifestSha256) {
        this.root = root;
        this.manifest = manifest;
        this.manifestSha256 = manifestSha256;
    }

    /** Reads and checks {@code location/manifest.json}. */
    public static PreparedDataset open(String location, Configuration conf) {
        Path dir = new Path(location);
        try {
            FileSystem fs = fileSystem(dir, conf);
            if (!fs.exists(dir)) {
                throw new CorpusException("no prepared dataset at '" + location + "' (no such path)");
            }
            Path m = new Path(dir, DatasetManifest.FILE);
            if (!fs.exists(m)) {
                throw new CorpusException("'" + location + "' holds no " + DatasetManifest.FILE
                        + ": it is not a prepared dataset, or its preparation did not finish");
            }
            byte[] bytes;
            try (InputStream in = fs.open(m)) {
                bytes = in.readAllBytes();
            }
            DatasetManifest manifest = DatasetManifest.parse(bytes, m.toString());
            return new PreparedDataset(fs.makeQualified(dir).toString(), manifest, TokenShardReader.sha256(bytes));
        } catch (IOException e) {
            throw new CorpusException(
                    "cannot read the dataset at '" + location + "' (" + CorpusException.firstLine(e) + ")", e);
        }
    }

    public String root() {
        return root;
    }

    /**
     * The tokenizer the dataset was prepared with: the byte tokenizer, or the copy of the
     * tokenizer.json that {@code prepare} keeps next to the manifest ({@value #TOKENIZER_FILE}),
     * checked against the manifest's record of it.
     *
     * @throws CorpusException when the copy is missing or differs from the record
     */
    public TokenizerSpec tokenizer(Configuration conf) {
        TokenizerInfo recorded = manifest.tokenizer();
        if (recorded.isByte()) {
            return TokenizerSpec.byteLevel();
        }
        Path copy = new Path(root, TOKENIZER_FILE);
        try {
            FileSystem fs = fileSystem(copy, conf);
            if (!fs.exists(copy)) {
                throw new CorpusException(
                        "dataset " + root + " was prepared with " + recorded.describe() + " but its copy " + copy
                                + " is missing; put that tokenizer.json back there, or prepare the dataset again");
            }
            try (InputStream in = fs.open(copy)) {
                return TokenizerSpec.fromCopy(copy.toString(), in.readAllBytes(), recorded);
            }
        } catch (IOException e) {
            throw new CorpusException("cannot read " + copy + " (" + CorpusException.firstLine(e) + ")", e);
        }
    }

    public DatasetManifest manifest() {
        return manifest;
    }

    /** SHA-256 of manifest.json: identifies the dataset in run provenance. */
    public String manifestSha256() {
        return manifestSha256;
    }

    public List<ShardInfo> shardsFor(String split, int partition, int partitions) {
        List<ShardInfo> out = new ArrayList<>();
        for (ShardInfo s : manifest.shards(split)) {
            if (s.index() % partitions == partition) {
                out.add(s);
            }
        }
        return out;
    }

    /** Sequences of {@code packedLength} tokens each partition will hold for {@code split}. */
    public long[] sequencesPerPartition(String split, int partitions, int packedLength) {
        long[] out = new long[partitions];
        for (int p = 0; p < partitions; p++) {
            long tokens = 0;
            for (ShardInfo s : shardsFor(split, p, partitions)) {
                tokens += s.tokens();
            }
            out[p] = tokens / packedLength;
        }
        return out;
    }

    /**
     * Partition {@code partition}'s training and validation blocks: its shards' rows in shard
     * order, as one token stream cut into sequences of {@code packedLength}. When that equals
     * the dataset's row length this is the rows themselves; otherwise the stream is re-cut, so a
     * dataset prepared for one sequence length trains any other.
     */
    public CorpusPartition loadPartition(int partition, int partitions, int packedLength, HadoopConf conf) {
        return new CorpusPartition(
                block(ShardInfo.TRAIN, partition, partitions, packedLength, conf.get()),
                block(ShardInfo.VALIDATION, partition, partitions, packedLength, conf.get()),
                manifest.counts());
    }

    private TokenBlock block(String split, int partition, int partitions, int packedLength, Configuration conf) {
        List<ShardInfo> mine = shardsFor(split, partition, partitions);
        long total = 0;
        long documents = 0;
        long dropped = 0;
        for (ShardInfo s : mine) {
            total += s.tokens();
            documents += s.documents();
            dropped += s.droppedTailTokens();
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new CorpusException(root + ": partition " + partition + " would hold " + total + " " + split
                    + " tokens, more than one array holds; train with more partitions");
        }
        char[] stream = new char[(int) total];
        int at = 0;
        Path dir = new Path(root);
        for (ShardInfo s : mine) {
            Path p = new Path(dir, s.path());
            char[] rows = TokenShardReader.read(
                    readAll(p, conf),
                    s,
                    p.toString(),
                    manifest.rowLength(),
                    manifest.tokenizer().vocabSize());
            System.arraycopy(rows, 0, stream, at, rows.length);
            at += rows.length;
        }
        int whole = (stream.length / packedLength) * packedLength;
        char[] tokens = whole == stream.length ? stream : Arrays.copyOf(stream, whole);
        return new TokenBlock(tokens, packedLength, documents, dropped + stream.length - whole);
    }

    private static byte[] readAll(Path p, Configuration conf) {
        try {
            FileSystem fs = fileSystem(p, conf);
            if (!fs.exists(p)) {
                throw new CorpusException(p + ": shard listed in the manifest is missing; prepare the dataset again");
            }
            try (InputStream in = fs.open(p)) {
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new CorpusException(p + ": cannot read (" + CorpusException.firstLine(e) + ")", e);
        }
    }

    /**
     * The file system of {@code p}; the local one without Hadoop's checksum layer, so no
     * {@code .crc} side files appear among the shards.
     */
    public static FileSystem fileSystem(Path p, Configuration conf) throws IOException {
        FileSystem fs = p.getFileSystem(conf);
        return fs instanceof LocalFileSystem local ? local.getRaw() : fs;
    }

    @Override
    public String toString() {
        return root + " (manifest sha256 " + manifestSha256.substring(0, 12) + ")";
    }
}
