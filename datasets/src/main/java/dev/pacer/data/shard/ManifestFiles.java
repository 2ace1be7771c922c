package dev.pacer.data.shard;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

/**
 * Writes the manifests that make a dataset, or a new version of it, complete. The root manifest
 * is replaced in one rename, never deleted first: at every moment the dataset has a complete
 * manifest, the old one or the new one, so a reader or a crash never sees a dataset without one.
 */
public final class ManifestFiles {

    private ManifestFiles() {}

    /** The manifest of a new dataset: version 1, listed as such. */
    public static DatasetManifest writeFirst(Path root, DatasetManifest m, Configuration conf) throws IOException {
        DatasetManifest listed = m.withVersions(List.of(DatasetVersion.of(1, m, "")));
        replace(new Path(root, DatasetManifest.FILE), listed.toJson(), conf);
        return listed;
    }

    /**
     * Commits {@code version}, already written to the directory of version {@code existing
     * .versionsAvailable() + 1}: writes its manifest there, then the root manifest listing it.
     * Returns the new root manifest.
     */
    public static DatasetManifest commitVersion(PreparedDataset existing, DatasetManifest version, Configuration conf)
            throws IOException {
        int number = existing.versionsAvailable() + 1;
        Path root = new Path(existing.root());
        byte[] bytes = version.toJson();
        write(new Path(new Path(root, DatasetVersion.directoryName(number)), DatasetManifest.FILE), bytes, conf);
        List<DatasetVersion> all = new ArrayList<>(existing.manifest().versionList());
        all.add(DatasetVersion.of(number, version, TokenShardReader.sha256(bytes)));
        DatasetManifest updated = existing.manifest().withVersions(all);
        replace(new Path(root, DatasetManifest.FILE), updated.toJson(), conf);
        return updated;
    }

    /** Writes {@code bytes} under a temporary name and renames it over {@code target}. */
    static void replace(Path target, byte[] bytes, Configuration conf) throws IOException {
        Path tmp = new Path(target.getParent(), "_" + target.getName() + "." + UUID.randomUUID() + ".tmp");
        write(tmp, bytes, conf);
        FileContext fc = FileContext.getFileContext(target.toUri(), conf);
        fc.rename(tmp, target, Options.Rename.OVERWRITE);
    }

    private static void write(Path p, byte[] bytes, Configuration conf) throws IOException {
        FileSystem fs = PreparedDataset.fileSystem(p, conf);
        try (OutputStream out = fs.create(p, true)) {
            out.write(bytes);
        }
    }
}
