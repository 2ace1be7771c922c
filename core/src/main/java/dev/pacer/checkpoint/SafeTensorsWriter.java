package dev.pacer.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes the safetensors layout {@link SafeTensors} describes: metadata first, tensors in list
 * order with consecutive offsets, the header padded so the data section starts 8-byte aligned.
 */
final class SafeTensorsWriter {

    private SafeTensorsWriter() {}

    static void write(OutputStream out, List<NamedTensor> tensors, Map<String, String> metadata) throws IOException {
        Objects.requireNonNull(out, "out");
        byte[] header = headerBytes(tensors, metadata);
        byte[] prefix = new byte[8];
        ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
        out.write(prefix);
        out.write(header);
        byte[] buf = new byte[SafeTensors.CHUNK_FLOATS * Float.BYTES];
        for (NamedTensor t : tensors) {
            float[] data = t.data();
            for (int start = 0; start < data.length; start += SafeTensors.CHUNK_FLOATS) {
                int n = Math.min(SafeTensors.CHUNK_FLOATS, data.length - start);
                for (int i = 0; i < n; i++) {
                    SafeTensors.INT_LE.set(buf, i * Float.BYTES, Float.floatToRawIntBits(data[start + i]));
                }
                out.write(buf, 0, n * Float.BYTES);
            }
        }
        out.flush();
    }

    /** The JSON header padded with spaces to a multiple of 8 bytes. */
    private static byte[] headerBytes(List<NamedTensor> tensors, Map<String, String> metadata) {
        Objects.requireNonNull(tensors, "tensors");
        ObjectNode root = SafeTensors.HEADER_JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafeTensors.METADATA_KEY);
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("metadata keys and values must not be null");
                }
                meta.put(e.getKey(), e.getValue());
            }
        }
        Set<String> seen = new HashSet<>();
        long offset = 0;
        for (NamedTensor t : tensors) {
            Objects.requireNonNull(t, "tensor");
            String name = t.name();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("tensor name must not be empty");
            }
            if (name.equals(SafeTensors.METADATA_KEY)) {
                throw new IllegalArgumentException(
                        "tensor name '" + SafeTensors.METADATA_KEY + "' is reserved for metadata");
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
            }
            long end = offset + t.byteSize();
            ObjectNode entry = root.putObject(name);
            entry.put("dtype", SafeTensors.DTYPE_F32);
            ArrayNode shape = entry.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json;
        try {
            json = SafeTensors.HEADER_JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise safetensors header", e);
        }
        int padded = (json.length + 7) / 8 * 8;
        if (padded == json.length) {
            return json;
        }
        byte[] header = new byte[padded];
        System.arraycopy(json, 0, header, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            header[i] = ' ';
        }
        return header;
    }
}
