package dev.pacer.checkpoint;

import dev.pacer.checkpoint.SafeTensorsHeaderParser.ParsedHeader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads a safetensors file's tensor data after its header has been validated. */
final class SafeTensorsReader {

    private SafeTensorsReader() {}

    /** @param fileSize total size of the input in bytes, or -1 if unknown */
    static SafeTensors.Contents read(InputStream in, String src, long fileSize) throws IOException {
        ParsedHeader h = SafeTensorsHeaderParser.parse(in, src, fileSize);
        long dataBytes = h.dataBytes();
        List<NamedTensor> tensors = new ArrayList<>(h.entries().size());
        byte[] buf = new byte[SafeTensors.CHUNK_FLOATS * Float.BYTES];
        long consumed = 0;
        for (HeaderEntry e : h.entries()) {
            // of a stream of unknown size, memory follows the data that arrives, not the header's
            // promise: a damaged header must not allocate gigabytes before the data runs out
            float[] data =
                    new float[(int) (fileSize >= 0 ? e.elements() : Math.min(e.elements(), SafeTensors.CHUNK_FLOATS))];
            for (int start = 0; start < e.elements(); start += SafeTensors.CHUNK_FLOATS) {
                int n = (int) Math.min(SafeTensors.CHUNK_FLOATS, e.elements() - start);
                int want = n * Float.BYTES;
                int got = in.readNBytes(buf, 0, want);
                consumed += got;
                if (got < want) {
                    throw SafeTensorsErrors.truncated(src, dataBytes, consumed);
                }
                if (start + n > data.length) {
                    data = Arrays.copyOf(data, (int) Math.min(e.elements(), Math.max(start + n, 2L * data.length)));
                }
                for (int i = 0; i < n; i++) {
                    data[start + i] = Float.intBitsToFloat((int) SafeTensors.INT_LE.get(buf, i * Float.BYTES));
                }
            }
            tensors.add(new NamedTensor(e.name(), e.shape(), data));
        }
        long extra = in.transferTo(OutputStream.nullOutputStream());
        if (extra > 0) {
            throw SafeTensorsErrors.trailing(src, dataBytes, extra);
        }
        return new SafeTensors.Contents(tensors, h.metadata());
    }
}
