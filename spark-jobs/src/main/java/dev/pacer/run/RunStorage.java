package dev.pacer.run;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A run directory on any Hadoop file system (file://, hdfs://, s3a://, or a plain local path).
 * The local file system is used without Hadoop's checksum layer so that flushed rows reach the
 * file at once and no {@code .crc} side files appear next to the user's outputs.
 */
public final class RunStorage {

    private final FileSystem fs;
    private final Path root;

    public RunStorage(String location, Configuration conf) {
        try {
            URI uri = new Path(location).toUri();
            FileSystem fileSystem = FileSystem.get(uri, conf);
            if (fileSystem instanceof LocalFileSystem local) {
                fileSystem = local.getRaw();
            }
            this.fs = fileSystem;
            this.root = fs.makeQualified(new Path(location));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open run directory '" + location + "': " + e.getMessage(), e);
        }
    }

    public FileSystem fs() {
        return fs;
    }

    public Path root() {
        return root;
    }

    public Path resolve(String relative) {
        return new Path(root, relative);
    }

    public boolean exists(Path p) throws IOException {
        return fs.exists(p);
    }

    public byte[] readAll(Path p) throws IOException {
        try (InputStream in = fs.open(p)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    /** Writes a whole file and syncs it before returning, replacing what was there. */
    public void writeAll(Path p, byte[] bytes) throws IOException {
        try (FSDataOutputStream out = fs.create(p, true)) {
            out.write(bytes);
            out.hsync();
        } catch (IOException | org.apache.hadoop.fs.FSError e) {
            throw new StorageFailure(
                    "cannot write " + p + " (" + StorageFailure.reason(e) + "); fix the storage (free"
                            + " space, permissions, the file system's health), then rerun the same command",
                    e);
        }
    }

    public void writeText(Path p, String text) throws IOException {
        writeAll(p, text.getBytes(StandardCharsets.UTF_8));
    }

    public FSDataOutputStream create(Path p) throws IOException {
        return fs.create(p, true);
    }
}
