package dev.pacer.data.shard;

import dev.pacer.data.CorpusException;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel;

/**
 * Reads a token shard written by {@link TokenShardWriter} back into one flat {@code char[]} of
 * its rows, after checking it against the manifest: size, SHA-256, schema, row count, and that
 * every id is inside the vocabulary.
 */
public final class TokenShardReader {

    private TokenShardReader() {}

    public static char[] read(byte[] bytes, ShardInfo info, String where, int rowLength, int vocabSize) {
        if (bytes.length != info.bytes()) {
            throw new CorpusException(where + ": " + bytes.length + " bytes, the manifest says " + info.bytes()
                    + "; the shard is truncated or was replaced: prepare the dataset again");
        }
        if (!sha256(bytes).equals(info.sha256())) {
            throw new CorpusException(where + ": SHA-256 does not match the manifest; the shard is corrupt:"
                    + " prepare the dataset again");
        }
        long values = info.rows() * rowLength;
        if (values > Integer.MAX_VALUE - 8) {
            throw new CorpusException(
                    where + ": " + values + " tokens is more than one array holds; prepare with more shards");
        }
        char[] out = new char[(int) values];
        int at = 0;
        try (BufferAllocator allocator = new RootAllocator();
                ArrowFileReader reader =
                        new ArrowFileReader(new ByteArrayReadableSeekableByteChannel(bytes), allocator)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            Field f = root.getSchema().getFields().isEmpty()
                    ? null
                    : root.getSchema().getFields().get(0);
            if (f == null
                    || !TokenShardWriter.COLUMN.equals(f.getName())
                    || !(f.getType() instanceof ArrowType.FixedSizeList fl)
                    || fl.getListSize() != rowLength) {
                throw new CorpusException(where + ": not a Pacer token shard of rows of " + rowLength + " tokens"
                        + " (schema " + root.getSchema() + ")");
            }
            for (ArrowBlock block : reader.getRecordBlocks()) {
                reader.loadRecordBatch(block);
                int n = root.getRowCount() * rowLength;
                if (at + (long) n > out.length) {
                    throw new CorpusException(where + ": more rows than the manifest's " + info.rows());
                }
                UInt2Vector data = (UInt2Vector) ((FixedSizeListVector) root.getVector(0)).getDataVector();
                data.getDataBuffer()
                        .nioBuffer(0, n * 2)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .asCharBuffer()
                        .get(out, at, n);
                at += n;
            }
        } catch (CorpusException e) {
            throw e;
        } catch (Exception e) {
            throw new CorpusException(
                    where + ": not a readable Arrow file (" + CorpusException.firstLine(e)
                            + "); prepare the dataset again",
                    e);
        }
        if (at != out.length) {
            throw new CorpusException(where + ": " + at / rowLength + " rows, the manifest says " + info.rows());
        }
        for (char c : out) {
            if (c >= vocabSize) {
                throw new CorpusException(where + ": token id " + (int) c + " is outside the vocabulary of " + vocabSize
                        + "; the shard does not belong to this manifest's tokenizer");
            }
        }
        return out;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
