package dev.pacer.data.shard;

import dev.pacer.data.CorpusException;
import dev.pacer.data.CorpusPartition;
import dev.pacer.data.HadoopConf;
import dev.pacer.data.source.SourceCounts;
import dev.pacer.data.tokenize.TokenizerInfo;
import dev.pacer.data.tokenize.TokenizerSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayList;
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
 *
 * <p>A dataset that grew ({@code prepare --append}) has versions 1, 2, ...; it is opened at its
 * newest and {@link #atVersion} narrows it to versions 1..k. A partition's stream is its shards of
 * version 1, then those of version 2, and so on: adding a version appends to every partition's
 * stream and leaves the sequences before it in place.
 */
public final class PreparedDataset implements Serializable {

    private static final long serialVersionUID = 1L;

    /** One version in use: its directory relative to the root ("" for version 1) and its manifest. */
    record Part(String directory, DatasetManifest manifest) implements Serializable {}

    /** The copy of a tokenizer.json tokenizer kept next to the manifest. */
    public static final String TOKENIZER_FILE = "tokenizer.json";

    private final String root;
    private final DatasetManifest manifest;
    private final String manifestSha256;
    private final List<Part> parts;
    private final int available;

    PreparedDataset(String root, DatasetManifest manifest, String manifestSha256, List<Part> parts, int available) {
        this.root = root;
        this.manifest = manifest;
        this.manifestSha256 = manifestSha256;
        this.parts = List.copyOf(parts);
        this.available = available;
    }

    /** Reads and checks {@code location/manifest.json} and the manifests of its later versions. */
    public static PreparedDataset open(String location, Configuration conf) {
        return DatasetOpener.open(location, conf);
    }

    /**
     * This dataset narrowed to versions 1..{@code version}: what a run pinned to that version, or
     * resumed on it, trains on.
     */
    public PreparedDataset atVersion(int version) {
        if (version < 1 || version > available) {
            throw new CorpusException(root + " has versions 1 to " + available + ", not " + version);
        }
        return new PreparedDataset(root, manifest, manifestSha256, parts.subList(0, version), available);
    }

    /** The newest version in use (the dataset's newest unless narrowed by {@link #atVersion}). */
    public int version() {
        return parts.size();
    }

    /** Versions the dataset holds. */
    public int versionsAvailable() {
        return available;
    }

    /** The manifest entry of version {@code number} (1-based). */
    public DatasetVersion versionInfo(int number) {
        return manifest.versionList().get(number - 1);
    }

    /** Version {@code number}'s own manifest (version 1's is {@link #manifest()}). */
    public DatasetManifest versionManifest(int number) {
        return parts.get(number - 1).manifest();
    }

    /** Version {@code number}'s shards of both splits, with paths relative to the root. */
    public List<ShardInfo> versionShards(int number) {
        Part part = parts.get(number - 1);
        return part.manifest().shards().stream()
                .map(s -> part.directory().isEmpty() ? s : s.under(part.directory()))
                .toList();
    }

    /** What reading the versions in use saw, summed. */
    public SourceCounts counts() {
        SourceCounts c = new SourceCounts();
        parts.forEach(p -> c.merge(p.manifest().counts()));
        return c;
    }

    /** Sums over one split's shards of the versions in use, as {@link DatasetManifest#totals}. */
    public long[] totals(String split) {
        long[] t = new long[5];
        for (Part p : parts) {
            long[] v = p.manifest().totals(split);
            for (int i = 0; i < t.length; i++) {
                t[i] += v[i];
            }
        }
        return t;
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

    /** Partition {@code partition}'s shards of {@code split}, version by version; paths relative to the root. */
    public List<ShardInfo> shardsFor(String split, int partition, int partitions) {
        List<ShardInfo> out = new ArrayList<>();
        for (Part part : parts) {
            for (ShardInfo s : part.manifest().shards(split)) {
                if (s.index() % partitions == partition) {
                    out.add(part.directory().isEmpty() ? s : s.under(part.directory()));
                }
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
                PartitionStream.block(this, ShardInfo.TRAIN, partition, partitions, packedLength, conf.get()),
                PartitionStream.block(this, ShardInfo.VALIDATION, partition, partitions, packedLength, conf.get()),
                counts());
    }

    /**
     * The rows of {@code shard} (one of {@link #shardsFor}, its path relative to the root), checked
     * against the manifest, as one flat array of row-length sequences.
     */
    public char[] readShard(ShardInfo shard, Configuration conf) {
        Path p = new Path(new Path(root), shard.path());
        return TokenShardReader.read(
                readAll(p, conf),
                shard,
                p.toString(),
                manifest.rowLength(),
                manifest.tokenizer().vocabSize());
    }

    static byte[] readAll(Path p, Configuration conf) {
        try {
            FileSystem fs = fileSystem(p, conf);
            if (!fs.exists(p)) {
                throw new CorpusException(
                        p + ": listed in the dataset's manifest but missing; prepare the dataset again");
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
        String v = available == 1 ? "" : "version " + version() + " of " + available + ", ";
        return root + " (" + v + "manifest sha256 " + manifestSha256.substring(0, 12) + ")";
    }
}
