package dev.pacer.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;

/**
 * An append-only JSON Lines file ({@code metrics.jsonl}, {@code events.jsonl}). On open, the
 * rows already there are read back and those the caller keeps are rewritten, so a resumed run
 * drops the rows written after its checkpoint and continues with no duplicates and no gaps.
 * Each row is flushed when written (file systems without append, such as s3a, get the rewrite).
 */
public final class JsonLinesLog implements AutoCloseable {

    public static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final FSDataOutputStream out;

    /** Opens {@code path}, keeping the existing rows that {@code keep} accepts. */
    public JsonLinesLog(RunStorage storage, Path path, Predicate<ObjectNode> keep) throws IOException {
        this.path = path;
        List<String> kept = new ArrayList<>();
        int dropped = 0;
        if (storage.exists(path)) {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(storage.fs().open(path), StandardCharsets.UTF_8))) {
                String line;
                int lineNo = 0;
                while ((line = r.readLine()) != null) {
                    lineNo++;
                    if (line.isBlank()) {
                        continue;
                    }
                    ObjectNode row;
                    try {
                        row = (ObjectNode) JSON.readTree(line);
                    } catch (IOException | ClassCastException e) {
                        // a row cut off by a crash mid-write: only the last line can be partial
                        dropped++;
                        continue;
                    }
                    if (keep.test(row)) {
                        kept.add(line);
                    } else {
                        dropped++;
                    }
                }
            }
        }
        FSDataOutputStream stream = null;
        try {
            stream = storage.create(path);
            for (String line : kept) {
                stream.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
            stream.hflush();
        } catch (IOException | org.apache.hadoop.fs.FSError e) {
            closeQuietly(stream);
            throw failure("rewrite", e);
        }
        this.out = stream;
        this.droppedOnOpen = dropped;
        this.keptOnOpen = kept.size();
    }

    private final int droppedOnOpen;
    private final int keptOnOpen;

    public int droppedOnOpen() {
        return droppedOnOpen;
    }

    public int keptOnOpen() {
        return keptOnOpen;
    }

    public static ObjectNode row() {
        return JSON.createObjectNode();
    }

    public synchronized void append(ObjectNode row) {
        try {
            out.write((JSON.writeValueAsString(row) + "\n").getBytes(StandardCharsets.UTF_8));
            out.hflush();
        } catch (IOException | org.apache.hadoop.fs.FSError e) {
            throw new UncheckedIOException(failure("append to", e));
        }
    }

    /**
     * A failed write, as one line: the rows are lost only back to the newest checkpoint, which a
     * resume recomputes them from (its rows are kept, later ones dropped).
     */
    private StorageFailure failure(String doing, Throwable e) {
        return new StorageFailure(
                "cannot " + doing + " " + path + " (" + StorageFailure.reason(e)
                        + "); the run stopped, its committed checkpoints are untouched: fix the storage (free space,"
                        + " permissions, the file system's health), then rerun the same command to resume from the newest"
                        + " one (rows after it are recomputed)",
                e);
    }

    private static void closeQuietly(FSDataOutputStream stream) {
        try {
            if (stream != null) {
                stream.close();
            }
        } catch (IOException | RuntimeException | org.apache.hadoop.fs.FSError e) {
            // the write already failed: that failure is the one to report
        }
    }

    @Override
    public void close() throws IOException {
        try {
            out.close();
        } catch (IOException | org.apache.hadoop.fs.FSError e) {
            throw failure("close", e);
        }
    }
}
