package dev.pacer.run;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FSError;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.Syncable;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.security.AccessControlException;
import org.apache.hadoop.util.Progressable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The local file system under the scheme {@code faulty://} (registered as {@code fs.faulty.impl}
 * by {@link #register}), failing writes on cue: once a number of bytes went to matching files (a
 * full disk), from the Nth create of a matching file on (permission lost), or on renames. The
 * cue is shared by every instance, so the driver's writes and the executors' (in local mode, the
 * same JVM) fail alike. Paths match when they contain the cue's fragment.
 */
public final class FaultyFileSystem extends RawLocalFileSystem {

    public static final String SCHEME = "faulty";

    private static volatile Cue cue = Cue.NONE;

    /** What fails, where, and with what. */
    private record Cue(String fragment, long bytes, int create, boolean rename, Supplier<Throwable> error) {
        static final Cue NONE = new Cue("\0", Long.MAX_VALUE, Integer.MAX_VALUE, false, null);

        boolean matches(Path p) {
            return p.toUri().getPath().contains(fragment);
        }
    }

    private static final AtomicLong written = new AtomicLong();
    private static final AtomicInteger creates = new AtomicInteger();

    /** Makes {@code faulty://} known to every Hadoop configuration of this JVM, Spark's included. */
    public static void register() {
        Configuration.addDefaultResource("faulty-fs.xml");
    }

    /** For {@code @ExtendWith}: registers the scheme before a test class, heals after each test. */
    public static final class Registered implements BeforeAllCallback, AfterEachCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            register();
        }

        @Override
        public void afterEach(ExtensionContext context) {
            heal();
        }
    }

    /** {@code faulty://} + the absolute local path. */
    public static String uri(java.nio.file.Path local) {
        return SCHEME + "://" + local.toAbsolutePath();
    }

    /** Writes to files whose path contains {@code fragment} fail once {@code bytes} bytes went to them. */
    public static void failWritesAfter(String fragment, long bytes, Supplier<Throwable> error) {
        arm(new Cue(fragment, bytes, Integer.MAX_VALUE, false, error));
    }

    /** Creates of files whose path contains {@code fragment} fail from the {@code nth} (1-based) on. */
    public static void failCreatesFrom(String fragment, int nth, Supplier<Throwable> error) {
        arm(new Cue(fragment, Long.MAX_VALUE, nth, false, error));
    }

    /** Renames of paths containing {@code fragment} fail. */
    public static void failRenames(String fragment, Supplier<Throwable> error) {
        arm(new Cue(fragment, Long.MAX_VALUE, Integer.MAX_VALUE, true, error));
    }

    /** Nothing fails any more. */
    public static void heal() {
        cue = Cue.NONE;
    }

    private static void arm(Cue c) {
        written.set(0);
        creates.set(0);
        cue = c;
    }

    /** A full local disk as Hadoop's local file system reports it: an FSError around the IOException. */
    public static Throwable diskFull() {
        try {
            var c = FSError.class.getDeclaredConstructor(Throwable.class);
            c.setAccessible(true);
            return c.newInstance(new IOException("No space left on device"));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** HDFS's error when it has no data node left to write a block to. */
    public static Throwable datanodesGone() {
        return new IOException(
                "All datanodes [DatanodeInfoWithStorage[127.0.0.1:9866,DS-1,DISK]] are bad. Aborting...");
    }

    public static Throwable permissionDenied() {
        return new AccessControlException("Permission denied: user=pacer, access=WRITE, inode=\"/runs\"");
    }

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FSDataOutputStream create(
            Path f, boolean overwrite, int bufferSize, short replication, long blockSize, Progressable progress)
            throws IOException {
        checkCreate(f);
        return wrap(f, super.create(f, overwrite, bufferSize, replication, blockSize, progress));
    }

    @Override
    public FSDataOutputStream create(
            Path f,
            FsPermission permission,
            boolean overwrite,
            int bufferSize,
            short replication,
            long blockSize,
            Progressable progress)
            throws IOException {
        checkCreate(f);
        return wrap(f, super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress));
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        Cue c = cue;
        if (c.rename() && (c.matches(src) || c.matches(dst))) {
            throw raise(c);
        }
        return super.rename(src, dst);
    }

    private static void checkCreate(Path f) throws IOException {
        Cue c = cue;
        if (c.matches(f) && creates.incrementAndGet() >= c.create()) {
            throw raise(c);
        }
    }

    private FSDataOutputStream wrap(Path f, FSDataOutputStream out) {
        return new FSDataOutputStream(new Failing(f, out), statistics);
    }

    /** Throws the cue's error: an IOException or an unchecked one as it is. */
    private static IOException raise(Cue c) {
        Throwable t = c.error().get();
        if (t instanceof IOException io) {
            return io;
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        throw (Error) t;
    }

    /** Counts the bytes and fails once the cue's budget is spent. */
    private static final class Failing extends OutputStream implements Syncable {
        private final Path path;
        private final FSDataOutputStream out;

        Failing(Path path, FSDataOutputStream out) {
            this.path = path;
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Cue c = cue;
            if (c.matches(path) && written.addAndGet(len) > c.bytes()) {
                throw raise(c);
            }
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void hflush() throws IOException {
            out.hflush();
        }

        @Override
        public void hsync() throws IOException {
            out.hsync();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
