package dev.pacer.run;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The few file operations a lease needs, each as atomic as the file system allows
 * (docs/run-directory.md, "One writer"). Hadoop's local file system checks for an existing file
 * and then creates or renames over it, so on local paths the JDK's own calls are used: an
 * exclusive create ({@code O_EXCL}), {@code rename(2)}, and a hard link for a move that must not
 * replace anything. Elsewhere Hadoop's rename, which on HDFS (and any file system that follows
 * Hadoop's specification) fails when the destination exists and when the source is gone.
 */
final class LeaseFiles {

    /** Reads of a lease file being rewritten at that moment are tried again this often. */
    private static final int READ_TRIES = 5;

    private final FileSystem fs;

    LeaseFiles(FileSystem fs) {
        this.fs = fs;
    }

    private java.nio.file.Path local(Path p) {
        return fs instanceof RawLocalFileSystem raw ? raw.pathToFile(p).toPath() : null;
    }

    /** The record at {@code p}, null when there is no file; an unreadable one is dated by its modification time. */
    LeaseRecord read(Path p, Duration fallbackTimeout) throws IOException {
        for (int attempt = 1; ; attempt++) {
            long modified;
            byte[] bytes;
            try {
                modified = fs.getFileStatus(p).getModificationTime();
                try (var in = fs.open(p)) {
                    bytes = in.readAllBytes();
                }
            } catch (FileNotFoundException | NoSuchFileException e) {
                return null;
            }
            LeaseRecord r = LeaseRecord.parse(bytes);
            if (r != null) {
                return r;
            }
            if (attempt >= READ_TRIES) {
                return LeaseRecord.unreadable(Instant.ofEpochMilli(modified), fallbackTimeout);
            }
            pause(); // a heartbeat rewriting the file in place on HDFS: read again
        }
    }

    /** Creates {@code p} holding {@code bytes} unless it exists; false when it does. */
    boolean createExclusive(Path p, byte[] bytes) throws IOException {
        java.nio.file.Path file = local(p);
        if (file != null) {
            try {
                Files.write(file, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            }
        }
        // written whole under another name first, so that a reader never sees it half written
        Path tmp = sibling(p, "new");
        try {
            write(tmp, bytes);
            try {
                return fs.rename(tmp, p);
            } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
                return false;
            }
        } finally {
            fs.delete(tmp, false);
        }
    }

    /** Moves {@code from} to {@code to} (a name nobody else uses); false when {@code from} is gone. */
    boolean moveAside(Path from, Path to) throws IOException {
        java.nio.file.Path file = local(from);
        if (file != null) {
            try {
                Files.move(file, local(to), StandardCopyOption.ATOMIC_MOVE);
                return true;
            } catch (NoSuchFileException e) {
                return false;
            }
        }
        try {
            return fs.rename(from, to);
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    /** Moves {@code from} back to {@code to} unless {@code to} exists by now; false when it does. */
    boolean moveBack(Path from, Path to) throws IOException {
        java.nio.file.Path file = local(from);
        if (file != null) {
            try {
                Files.createLink(local(to), file); // link(2): fails if the name exists, atomically
                Files.delete(file);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            }
        }
        try {
            return fs.rename(from, to);
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
            return false;
        }
    }

    /** Replaces the content of {@code p} (a heartbeat). */
    void replace(Path p, byte[] bytes) throws IOException {
        java.nio.file.Path file = local(p);
        if (file != null) {
            java.nio.file.Path tmp = local(sibling(p, "beat"));
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        // HDFS replaces the file in one step at the name node; readers may find it empty for a moment
        write(p, bytes);
    }

    void delete(Path p) throws IOException {
        fs.delete(p, false);
    }

    private void write(Path p, byte[] bytes) throws IOException {
        try (FSDataOutputStream out = fs.create(p, true)) {
            out.write(bytes);
            out.hsync();
        }
    }

    /** A name next to {@code p} that no other process uses, and that no reader of the run directory lists. */
    static Path sibling(Path p, String purpose) {
        return new Path(p.getParent(), p.getName() + "." + purpose + "-" + UUID.randomUUID());
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
