package dev.pacer.data.shard;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Writes one token shard: documents' tokens, each followed by the end-of-document id, as one
 * stream cut into rows of {@code rowLength} tokens (a packed sequence: inputs and shifted
 * targets). The file is an Arrow IPC file with a single column {@code tokens} of type
 * {@code fixed_size_list<uint16>[rowLength]}, in record batches of at most {@link #BATCH_ROWS}
 * rows. Tokens that fill no last row are counted and dropped. The SHA-256 of the bytes written is
 * computed on the way out.
 */
public final class TokenShardWriter implements AutoCloseable {

    public static final String COLUMN = "tokens";
    public static final String FORMAT = "pacer-token-shard";
    public static final int VERSION = 1;
    static final int BATCH_ROWS = 4096;

    /** What was written. */
    public record Written(long rows, long documents, long tokens, long droppedTailTokens, long bytes, String sha256) {}

    private final int rowLength;
    private final int endOfDocument;
    private final CountingDigest out;
    private final BufferAllocator allocator = new RootAllocator();
    private final VectorSchemaRoot root;
    private final ArrowFileWriter writer;
    private final char[] pending;
    private int fill;
    private long rows;
    private long documents;
    private boolean closed;

    public TokenShardWriter(OutputStream target, int rowLength, int endOfDocument, Map<String, String> metadata)
            throws IOException {
        this.rowLength = rowLength;
        this.endOfDocument = endOfDocument;
        this.out = new CountingDigest(target);
        this.root = VectorSchemaRoot.create(schema(rowLength, metadata), allocator);
        this.writer = new ArrowFileWriter(root, null, Channels.newChannel(out));
        this.pending = new char[BATCH_ROWS * rowLength];
        writer.start();
    }

    static Schema schema(int rowLength, Map<String, String> metadata) {
        Field token = new Field("token", FieldType.notNullable(new ArrowType.Int(16, false)), null);
        Field tokens = new Field(COLUMN, FieldType.notNullable(new ArrowType.FixedSizeList(rowLength)), List.of(token));
        return new Schema(List.of(tokens), metadata);
    }

    /** Appends one document's tokens and the end-of-document id. */
    public void addDocument(int[] tokens) throws IOException {
        for (int t : tokens) {
            push(t);
        }
        push(endOfDocument);
        documents++;
    }

    private void push(int token) throws IOException {
        if (token < 0 || token > Character.MAX_VALUE) {
            throw new IllegalArgumentException("token id " + token + " does not fit 16 bits");
        }
        pending[fill++] = (char) token;
        if (fill == pending.length) {
            flush(BATCH_ROWS);
        }
    }

    private void flush(int n) throws IOException {
        FixedSizeListVector list = (FixedSizeListVector) root.getVector(COLUMN);
        list.clear();
        list.setInitialCapacity(n);
        list.allocateNew();
        UInt2Vector data = (UInt2Vector) list.getDataVector();
        int values = n * rowLength;
        ByteBuffer bytes = ByteBuffer.allocate(values * 2).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asCharBuffer().put(pending, 0, values);
        ArrowBuf buf = data.getDataBuffer();
        buf.setBytes(0, bytes.array(), 0, values * 2L);
        setAllValid(data.getValidityBuffer(), values);
        setAllValid(list.getValidityBuffer(), n);
        data.setValueCount(values);
        list.setValueCount(n);
        root.setRowCount(n);
        writer.writeBatch();
        rows += n;
        System.arraycopy(pending, values, pending, 0, fill - values);
        fill -= values;
    }

    private static void setAllValid(ArrowBuf validity, int count) {
        long full = count / 8;
        validity.setOne(0, full);
        for (int i = (int) (full * 8); i < count; i++) {
            validity.setByte(i / 8, validity.getByte(i / 8) | (1 << (i % 8)));
        }
    }

    /** Writes the last whole rows and the footer; returns what the file holds. */
    public Written finish() throws IOException {
        int whole = fill / rowLength;
        if (whole > 0) {
            flush(whole);
        }
        long dropped = fill;
        writer.end();
        close();
        return new Written(rows, documents, rows * rowLength, dropped, out.count, out.sha256());
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            writer.close();
            root.close();
            allocator.close();
        } finally {
            out.close();
        }
    }

    /** Counts and digests the bytes on their way to the file. */
    private static final class CountingDigest extends DigestOutputStream {
        long count;

        CountingDigest(OutputStream out) {
            super(out, sha());
        }

        @Override
        public void write(int b) throws IOException {
            super.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            super.write(b, off, len);
            count += len;
        }

        String sha256() {
            return HexFormat.of().formatHex(getMessageDigest().digest());
        }

        private static MessageDigest sha() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
