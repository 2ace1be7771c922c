package dev.pacer.prepare;

import dev.pacer.config.ConfigError;
import dev.pacer.data.CorpusException;
import dev.pacer.data.shard.DatasetManifest;
import dev.pacer.data.shard.DatasetVersion;
import dev.pacer.data.shard.PreparedDataset;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The output directory of {@code prepare}: what it already holds, and where this run writes. A
 * new dataset is written into the directory itself, a new version into its own subdirectory; a
 * {@code _PREPARING} marker sits in whichever is being written until its manifest exists. Pacer
 * deletes only what it wrote: an empty directory, a half-written dataset or version, or (with
 * {@code --overwrite}) a complete dataset.
 */
final class DatasetOutput {

    private static final Logger LOG = LoggerFactory.getLogger(DatasetOutput.class);
    static final String MARKER = "_PREPARING";

    private final String given;
    private final FileSystem fs;
    private final Path root;

    private DatasetOutput(String given, FileSystem fs, Path root) {
        this.given = given;
        this.fs = fs;
        this.root = root;
    }

    static DatasetOutput at(String output, Configuration conf) throws IOException {
        Path out = new Path(output);
        FileSystem fs = PreparedDataset.fileSystem(out, conf);
        return new DatasetOutput(output, fs, fs.makeQualified(out));
    }

    Path root() {
        return root;
    }

    /** The complete dataset the directory holds, or null. */
    PreparedDataset existing(Configuration conf, boolean overwrite) throws IOException {
        if (!fs.exists(new Path(root, DatasetManifest.FILE))) {
            return null;
        }
        try {
            return PreparedDataset.open(root.toString(), conf);
        } catch (CorpusException e) {
            if (overwrite) {
                return null;
            }
            throw new ConfigError("--output " + given + " holds a " + DatasetManifest.FILE + " that cannot be read ("
                    + e.getMessage() + "); pass --overwrite to replace the dataset");
        }
    }

    /**
     * Clears what may be cleared and marks the directory this run writes: the root for a new
     * dataset, the next version's directory when {@code appendTo} is a dataset to grow.
     */
    Path begin(PreparedDataset appendTo, String inputs) throws IOException {
        Path target;
        if (appendTo == null) {
            clearRoot();
            target = root;
        } else {
            target = new Path(root, DatasetVersion.directoryName(appendTo.versionsAvailable() + 1));
            if (fs.exists(target)) {
                // listed nowhere: an append that died before its manifests were written
                LOG.warn("{} holds an unfinished version (not in {}); replacing it", target, DatasetManifest.FILE);
                fs.delete(target, true);
            }
        }
        fs.mkdirs(target);
        try (OutputStream m = fs.create(new Path(target, MARKER), true)) {
            String json = new com.fasterxml.jackson.databind.ObjectMapper()
                            .createObjectNode()
                            .put("started", Instant.now().toString())
                            .put("inputs", inputs)
                            .toString()
                    + "\n";
            m.write(json.getBytes(StandardCharsets.UTF_8));
        }
        return target;
    }

    /** The target is complete: its manifest is written. */
    void finish(Path target) throws IOException {
        fs.delete(new Path(target, MARKER), false);
    }

    /** Nothing to write after all (an append with no new document): the target goes. */
    void abandon(Path target) throws IOException {
        fs.delete(target, true);
    }

    private void clearRoot() throws IOException {
        refuseForeign();
        if (!fs.exists(root) || fs.listStatus(root).length == 0) {
            return;
        }
        boolean complete = fs.exists(new Path(root, DatasetManifest.FILE));
        LOG.warn(
                "{} {}; replacing it",
                root,
                complete
                        ? "holds a complete dataset and --overwrite was given"
                        : "holds a half-written dataset (no " + DatasetManifest.FILE + ")");
        if (!fs.delete(root, true)) {
            throw new IOException("cannot delete " + root);
        }
    }

    /** Refuses, before Spark starts, an output that is a file or someone else's directory. */
    void refuseForeign() throws IOException {
        if (!fs.exists(root)) {
            return;
        }
        if (!fs.getFileStatus(root).isDirectory()) {
            throw new ConfigError("--output " + given + " is a file; give a directory for the prepared dataset");
        }
        if (fs.listStatus(root).length > 0
                && !fs.exists(new Path(root, DatasetManifest.FILE))
                && !fs.exists(new Path(root, MARKER))) {
            throw new ConfigError("--output " + given + " exists and is not a Pacer dataset (no " + DatasetManifest.FILE
                    + ", no " + MARKER + " marker); give a new or empty directory");
        }
    }
}
