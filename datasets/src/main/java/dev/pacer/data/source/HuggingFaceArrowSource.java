package dev.pacer.data.source;

import dev.pacer.data.CorpusException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * One {@code data-XXXXX-of-YYYYY.arrow} file of a Hugging Face {@code save_to_disk} directory:
 * an Arrow IPC <em>stream</em> whose string column holds the documents. A stream has no footer,
 * so a file cut at a batch boundary would read as a shorter valid stream; the reader therefore
 * also requires the end-of-stream marker that every writer (pyarrow's, Arrow Java's) closes
 * the stream with, and that the marker is the file's last bytes.
 */
public final class HuggingFaceArrowSource {

    /** IPC end-of-stream: continuation marker 0xFFFFFFFF, then a zero metadata length. */
    private static final byte[] END_OF_STREAM = {-1, -1, -1, -1, 0, 0, 0, 0};

    private HuggingFaceArrowSource() {}

    /**
     * @param length the file's size in bytes, or -1 when unknown (the end check is then skipped)
     */
    public static void read(InputStream raw, long length, String file, String column, RecordCollector c) {
        TailTracking in = new TailTracking(raw);
        long row = 0;
        try (BufferAllocator allocator = new RootAllocator();
                ArrowStreamReader reader = new ArrowStreamReader(in, allocator)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            FieldVector vector = root.getVector(column);
            if (vector == null) {
                throw new CorpusException(file + ": no column '" + column + "' (columns: "
                        + root.getSchema().getFields().stream()
                                .map(Field::getName)
                                .collect(Collectors.joining(", "))
                        + "); set pacer.data.text-field to the column holding the text");
            }
            if (!(vector instanceof VarCharVector) && !(vector instanceof LargeVarCharVector)) {
                throw new CorpusException(file + ": column '" + column + "' is of type "
                        + vector.getField().getType() + ", not a string; set pacer.data.text-field to a string column");
            }
            while (reader.loadNextBatch()) {
                FieldVector v = root.getVector(column);
                int n = root.getRowCount();
                for (int i = 0; i < n; i++) {
                    row++;
                    if (v.isNull(i)) {
                        c.skip(SkipReason.MISSING_FIELD, row, "column '" + column + "' is null");
                        continue;
                    }
                    byte[] bytes = v instanceof VarCharVector s ? s.get(i) : ((LargeVarCharVector) v).get(i);
                    String text = c.decode(bytes, 0, bytes.length, row);
                    if (text != null) {
                        c.text(text, row);
                    }
                }
            }
        } catch (CorpusException e) {
            throw e;
        } catch (Exception e) {
            throw new CorpusException(
                    file + ": not a readable Arrow IPC stream (" + CorpusException.firstLine(e)
                            + "); the file is corrupt or truncated: write it again (datasets' save_to_disk)",
                    e);
        }
        if (length >= 0 && (in.count != length || !in.endsWith(END_OF_STREAM))) {
            throw new CorpusException(file + ": truncated Arrow IPC stream (" + in.count + " of " + length
                    + " bytes read, no end-of-stream marker at the end); write it again (datasets' save_to_disk)");
        }
    }

    /** Counts the bytes read and keeps the last eight. */
    private static final class TailTracking extends FilterInputStream {
        long count;
        final byte[] tail = new byte[8];

        TailTracking(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                push((byte) b);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            for (int i = Math.max(0, n - 8); i < n; i++) {
                push(b[off + i]);
            }
            if (n > 8) {
                count += n - 8;
            }
            return n;
        }

        private void push(byte b) {
            System.arraycopy(tail, 1, tail, 0, 7);
            tail[7] = b;
            count++;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] scratch = new byte[8192];
            long done = 0;
            while (done < n) {
                int r = read(scratch, 0, (int) Math.min(scratch.length, n - done));
                if (r < 0) {
                    break;
                }
                done += r;
            }
            return done;
        }

        boolean endsWith(byte[] suffix) {
            return count >= suffix.length
                    && java.util.Arrays.equals(tail, 8 - suffix.length, 8, suffix, 0, suffix.length);
        }
    }
}
