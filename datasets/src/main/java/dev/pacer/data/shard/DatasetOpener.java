package dev.pacer.data.shard;

import dev.pacer.data.CorpusException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Opens a prepared dataset on the driver: its root manifest, then each later version's own
 * manifest, which must be the one the root lists (by SHA-256) and packed as version 1 was, since
 * a partition's stream runs through every version's shards as one.
 */
final class DatasetOpener {

    private DatasetOpener() {}

    /** Reads and checks {@code location/manifest.json} and the manifests of its later versions. */
    static PreparedDataset open(String location, Configuration conf) {
        Path dir = new Path(location);
        try {
            FileSystem fs = PreparedDataset.fileSystem(dir, conf);
            if (!fs.exists(dir)) {
                throw new CorpusException("no prepared dataset at '" + location + "' (no such path)");
            }
            if (!fs.exists(new Path(dir, DatasetManifest.FILE))) {
                throw new CorpusException("'" + location + "' holds no " + DatasetManifest.FILE
                        + ": it is not a prepared dataset, or its preparation did not finish");
            }
            byte[] bytes = PreparedDataset.readAll(new Path(dir, DatasetManifest.FILE), conf);
            DatasetManifest manifest = DatasetManifest.parse(bytes, new Path(dir, DatasetManifest.FILE).toString());
            List<PreparedDataset.Part> parts = new ArrayList<>();
            parts.add(new PreparedDataset.Part("", manifest));
            for (DatasetVersion v :
                    manifest.versionList().subList(1, manifest.versionList().size())) {
                parts.add(new PreparedDataset.Part(v.directory(), openVersion(dir, v, manifest, conf)));
            }
            return new PreparedDataset(
                    fs.makeQualified(dir).toString(), manifest, TokenShardReader.sha256(bytes), parts, parts.size());
        } catch (IOException e) {
            throw new CorpusException(
                    "cannot read the dataset at '" + location + "' (" + CorpusException.firstLine(e) + ")", e);
        }
    }

    /** A later version's manifest, checked against its entry and against version 1's packing. */
    private static DatasetManifest openVersion(Path dir, DatasetVersion v, DatasetManifest first, Configuration conf) {
        Path p = new Path(new Path(dir, v.directory()), DatasetManifest.FILE);
        byte[] bytes = PreparedDataset.readAll(p, conf);
        if (!TokenShardReader.sha256(bytes).equals(v.manifestSha256())) {
            throw new CorpusException(p + ": SHA-256 does not match version " + v.number()
                    + " in the dataset's manifest; the version was replaced or damaged: prepare the dataset again");
        }
        DatasetManifest m = DatasetManifest.parse(bytes, p.toString());
        if (m.seqLen() != first.seqLen()
                || m.shardCount() != first.shardCount()
                || !m.tokenizer().equals(first.tokenizer())) {
            throw new CorpusException(p + ": version " + v.number() + " was packed with another tokenizer, sequence"
                    + " length or shard count than version 1; prepare the dataset again");
        }
        return m;
    }
}
