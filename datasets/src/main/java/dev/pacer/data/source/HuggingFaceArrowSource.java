package dev.pacer.data.source;

import dev.pacer.data.CorpusException;
import java.io.InputStream;
import java.util.stream.Collectors;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.util.ValueVectorUtility;

/**
 * One {@code data-XXXXX-of-YYYYY.arrow} file of a Hugging Face {@code save_to_disk} directory:
 * an Arrow IPC <em>stream</em> whose string column holds the documents. A stream has no footer,
 * so a file cut at a batch boundary would read as a shorter valid stream; the reader therefore
 * also requires the end-of-stream marker that every writer (pyarrow's, Arrow Java's) closes
 * the stream with, and that the marker is the file's last bytes.
 */
public final class HuggingFaceArrowSource {

    private HuggingFaceArrowSource() {}

    /**
     * @param length the file's size in bytes, or -1 when unknown (the end check is then skipped)
     */
    public static void read(InputStream raw, long length, String file, String column, RecordCollector c) {
        ArrowStreamFraming in = new ArrowStreamFraming(raw, length);
        long row = 0;
        // Arrow's buffers for one batch never need more than a few times the file's size
        long limit = length >= 0 ? Math.max(64L << 20, 4 * length) : Long.MAX_VALUE;
        try (BufferAllocator allocator = new RootAllocator(limit);
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
                ValueVectorUtility.validate(v); // buffer sizes agree with the row count
                int n = root.getRowCount();
                for (int i = 0; i < n; i++) {
                    row++;
                    if (v.isNull(i)) {
                        c.skip(SkipReason.MISSING_FIELD, row, "column '" + column + "' is null");
                        continue;
                    }
                    byte[] bytes = valueBytes(v, i);
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
        if (length >= 0 && (in.bytesRead() != length || !in.endedWithMarker())) {
            throw new CorpusException(file + ": truncated Arrow IPC stream (" + in.bytesRead() + " of " + length
                    + " bytes read, no end-of-stream marker at the end); write it again (datasets' save_to_disk)");
        }
    }

    /** Row {@code i}'s bytes, once its offsets are known to lie inside the data (Arrow would allocate first). */
    private static byte[] valueBytes(FieldVector v, int i) {
        boolean large = v instanceof LargeVarCharVector;
        ArrowBuf offsets = v.getOffsetBuffer();
        long start = large ? offsets.getLong(8L * i) : offsets.getInt(4L * i);
        long end = large ? offsets.getLong(8L * (i + 1)) : offsets.getInt(4L * (i + 1));
        if (start < 0 || end < start || end > v.getDataBuffer().capacity()) {
            throw new IllegalStateException("row " + (i + 1) + " of a batch has offsets outside its data");
        }
        return large ? ((LargeVarCharVector) v).get(i) : ((VarCharVector) v).get(i);
    }
}
