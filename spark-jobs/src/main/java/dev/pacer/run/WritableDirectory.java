package dev.pacer.run;

import dev.pacer.config.ConfigError;
import dev.pacer.data.CorpusException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The pre-flight check of a directory a command will write to (the run directory, a prepared
 * dataset's output), made before any Spark work: it exists or can be created, is a directory,
 * and takes a file. Failing any of these is a configuration error naming the option and the fix,
 * where otherwise the first checkpoint or log write would fail with a bare exception after Spark
 * has started. Works on any Hadoop file system: writability is tried, not read off permission bits.
 */
public final class WritableDirectory {

    private static final String PROBE = ".pacer-write-check-";

    private WritableDirectory() {}

    /**
     * Creates {@code location} if missing and proves it writable with a probe file, removed again.
     *
     * @param option how the user set the location, e.g. "--run-dir" (pacer.run.dir)
     * @throws ConfigError naming {@code option}, what is wrong and how to fix it
     */
    public static void require(String location, String option, Configuration conf) {
        Path dir = new Path(location);
        FileSystem fs;
        try {
            fs = dir.getFileSystem(conf);
            fs = fs instanceof LocalFileSystem local ? local.getRaw() : fs; // no .crc side file for the probe
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigError(option + " " + location + ": its file system cannot be opened ("
                    + CorpusException.firstLine(e) + "); give a local path or a URI of a configured file system");
        }
        FileStatus blocker = firstExisting(fs, dir, option, location);
        if (blocker != null && !blocker.isDirectory()) {
            throw new ConfigError(
                    blocker.getPath().equals(fs.makeQualified(dir))
                            ? option + " " + location + " is a file, not a directory; give a directory (it is created"
                                    + " if missing) or move the file away"
                            : option + " " + location + " cannot be created: " + blocker.getPath() + " is a file, not"
                                    + " a directory; give a path whose parents are directories");
        }
        try {
            if (!fs.mkdirs(dir)) {
                throw new IOException("the file system refused to create it");
            }
        } catch (IOException e) {
            throw new ConfigError(option + " " + location + " cannot be created (" + CorpusException.firstLine(e)
                    + "); create it with write permission for user " + user() + ", or give another directory");
        }
        Path probe = new Path(dir, PROBE + UUID.randomUUID());
        try {
            fs.create(probe, false).close();
            fs.delete(probe, false);
        } catch (IOException e) {
            throw new ConfigError(option + " " + location + " is not writable (" + CorpusException.firstLine(e)
                    + "); give user " + user() + " write permission on it (e.g. chmod u+w), or give another"
                    + " directory");
        }
    }

    /** The status of {@code dir} or of its nearest existing ancestor, or null if none exists. */
    private static FileStatus firstExisting(FileSystem fs, Path dir, String option, String location) {
        for (Path p = dir; p != null; p = p.getParent()) {
            try {
                return fs.getFileStatus(p);
            } catch (FileNotFoundException e) {
                // not there yet: look at its parent
            } catch (IOException e) {
                throw new ConfigError(option + " " + location + ": cannot look at " + p + " ("
                        + CorpusException.firstLine(e) + "); check the path and your access to it");
            }
        }
        return null;
    }

    private static String user() {
        return System.getProperty("user.name", "?");
    }
}
