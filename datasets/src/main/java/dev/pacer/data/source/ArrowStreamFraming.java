package dev.pacer.data.source;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.DictionaryBatch;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;

/**
 * Checks an Arrow IPC stream's framing as its bytes pass to Arrow's reader, before Arrow acts on
 * them: every message's metadata length and body length must fit in what is left of the file.
 * Arrow allocates both before reading them (heap for the metadata, direct memory for the body),
 * so one damaged length field would otherwise ask for gigabytes for a file of a few hundred
 * bytes. It also counts the bytes read and notes whether the stream closed with the
 * end-of-stream marker (continuation 0xFFFFFFFF, then a zero length) that every writer emits.
 */
final class ArrowStreamFraming extends FilterInputStream {

    /** Far beyond any schema or batch metadata a dataset has; a larger length is damage. */
    private static final int MAX_METADATA_BYTES = 64 << 20;

    private enum State {
        PREFIX,
        METADATA,
        BODY,
        END
    }

    private final long length;
    private long position;
    private State state = State.PREFIX;
    private final byte[] prefix = new byte[8];
    private int prefixHave;
    private int prefixNeed = 4;
    private byte[] metadata;
    private int metadataHave;
    private long bodyLeft;
    private boolean endMarker;

    /** @param length the file's size in bytes, or -1 when unknown (then only the metadata cap applies) */
    ArrowStreamFraming(InputStream in, long length) {
        super(in);
        this.length = length;
    }

    long bytesRead() {
        return position;
    }

    /** Whether the stream ended with the 8-byte end-of-stream marker. */
    boolean endedWithMarker() {
        return endMarker;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        for (int i = off; i < off + Math.max(n, 0); ) {
            i = advance(b, i, off + n);
        }
        return n;
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

    /** Takes the bytes of {@code b[i, end)} that belong to the current part; returns where it stopped. */
    private int advance(byte[] b, int i, int end) throws IOException {
        switch (state) {
            case PREFIX -> {
                prefix[prefixHave++] = b[i++];
                position++;
                if (prefixHave == prefixNeed) {
                    onPrefix();
                }
                return i;
            }
            case METADATA -> {
                int k = Math.min(end - i, metadata.length - metadataHave);
                System.arraycopy(b, i, metadata, metadataHave, k);
                metadataHave += k;
                position += k;
                if (metadataHave == metadata.length) {
                    onMetadata();
                }
                return i + k;
            }
            case BODY -> {
                int k = (int) Math.min(end - i, bodyLeft);
                bodyLeft -= k;
                position += k;
                if (bodyLeft == 0) {
                    nextMessage();
                }
                return i + k;
            }
            default -> {
                position += end - i; // after the end marker: counted, so a longer file is noticed
                return end;
            }
        }
    }

    private void onPrefix() throws IOException {
        int value = ByteBuffer.wrap(prefix, prefixNeed - 4, 4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .getInt();
        if (prefixNeed == 4 && value == -1) {
            prefixNeed = 8; // continuation marker: the length follows
            return;
        }
        if (value == 0) {
            endMarker = prefixNeed == 8;
            state = State.END;
            return;
        }
        if (value < 0 || value > MAX_METADATA_BYTES || exceedsRest(value)) {
            throw new IOException("a message's metadata length field says " + Integer.toUnsignedString(value)
                    + " bytes at byte " + position + beyond());
        }
        metadata = new byte[value];
        metadataHave = 0;
        state = State.METADATA;
    }

    private void onMetadata() throws IOException {
        long body;
        try {
            Message m = Message.getRootAsMessage(ByteBuffer.wrap(metadata).order(ByteOrder.LITTLE_ENDIAN));
            body = m.bodyLength();
            if (m.headerType() == MessageHeader.RecordBatch) {
                checkBatch((RecordBatch) m.header(new RecordBatch()), body);
            } else if (m.headerType() == MessageHeader.DictionaryBatch) {
                checkBatch(((DictionaryBatch) m.header(new DictionaryBatch())).data(), body);
            }
        } catch (RuntimeException e) {
            throw new IOException("the metadata ending at byte " + position + " is not an Arrow message", e);
        }
        if (body < 0 || exceedsRest(body)) {
            throw new IOException("a message promises a body of " + body + " bytes after byte " + position + beyond());
        }
        bodyLeft = body;
        if (body == 0) {
            nextMessage();
        } else {
            state = State.BODY;
        }
    }

    /**
     * Row and null counts that fit an int and the body, and buffers inside the body: Arrow's
     * reader takes them as they are (a negative count trips its internal assertions, or reads as
     * an empty batch).
     */
    private void checkBatch(RecordBatch batch, long body) throws IOException {
        // every row costs a column at least a bit of its body; more rows than that is a damaged
        // count, which Arrow would fill with buffers of its own (gigabytes for a few bytes)
        long maxRows = 8 * body;
        if (batch == null || !fitsInt(batch.length()) || batch.length() > maxRows) {
            throw new IOException("a record batch before byte " + position + " has no valid row count");
        }
        for (int i = 0; i < batch.nodesLength(); i++) {
            FieldNode node = batch.nodes(i);
            if (!fitsInt(node.length())
                    || node.length() > maxRows
                    || !fitsInt(node.nullCount())
                    || node.nullCount() > node.length()) {
                throw new IOException("column " + i + " of the record batch before byte " + position + " has "
                        + node.length() + " values, " + node.nullCount() + " of them null");
            }
        }
        for (int i = 0; i < batch.buffersLength(); i++) {
            Buffer b = batch.buffers(i);
            if (b.offset() < 0 || b.length() < 0 || b.offset() > body - b.length()) {
                throw new IOException("buffer " + i + " of the record batch before byte " + position
                        + " lies outside its " + body + "-byte body");
            }
        }
    }

    private static boolean fitsInt(long n) {
        return n >= 0 && n <= Integer.MAX_VALUE;
    }

    private void nextMessage() {
        state = State.PREFIX;
        prefixHave = 0;
        prefixNeed = 4;
    }

    private boolean exceedsRest(long n) {
        return length >= 0 && n > length - position;
    }

    private String beyond() {
        return length >= 0 ? ", more than the " + (length - position) + " left in the file" : "";
    }
}
