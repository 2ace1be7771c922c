package dev.pacer.checkpoint;

import static dev.pacer.checkpoint.SafeTensorsErrors.DAMAGED_ADVICE;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;

/**
 * One tensor entry of a safetensors header, validated on its own: a float32 dtype, a shape whose
 * element count fits one Java array, and data offsets spanning exactly the bytes that shape needs.
 * Whether the entries together tile the data section is {@link SafeTensorsHeaderParser}'s check.
 *
 * @param index position of the entry in the header, which breaks ties between equal offsets so
 *     that empty tensors keep their header order
 */
record HeaderEntry(String name, long[] shape, long elements, long begin, long end, int index) {

    static HeaderEntry parse(String src, String name, JsonNode value, int index) throws CheckpointFormatException {
        String what = "tensor '" + name + "'";
        if (name.isEmpty()) {
            throw new CheckpointFormatException(src, "header has a tensor with an empty name; " + DAMAGED_ADVICE);
        }
        if (!value.isObject()) {
            throw new CheckpointFormatException(src, what + " header entry is not a JSON object; " + DAMAGED_ADVICE);
        }
        JsonNode dtype = value.get("dtype");
        JsonNode shapeNode = value.get("shape");
        JsonNode offsets = value.get("data_offsets");
        for (String key : new String[] {"dtype", "shape", "data_offsets"}) {
            if (value.get(key) == null) {
                throw new CheckpointFormatException(
                        src, what + " header entry is missing \"" + key + "\"; " + DAMAGED_ADVICE);
            }
        }
        if (!dtype.isTextual()) {
            throw new CheckpointFormatException(src, what + " has a non-string \"dtype\"; " + DAMAGED_ADVICE);
        }
        if (!SafeTensors.DTYPE_F32.equals(dtype.textValue())) {
            throw new CheckpointFormatException(
                    src,
                    what
                            + " has dtype "
                            + dtype.textValue()
                            + " but only F32 supported; convert the tensors to float32 before saving (for"
                            + " example tensor.float() in PyTorch).");
        }
        long[] shape = nonNegativeLongs(src, what, "shape", shapeNode, -1);
        long[] off = nonNegativeLongs(src, what, "data_offsets", offsets, 2);
        long elements = 1;
        long expectedBytes;
        try {
            for (long d : shape) {
                elements = Math.multiplyExact(elements, d);
            }
            expectedBytes = Math.multiplyExact(elements, (long) Float.BYTES);
        } catch (ArithmeticException e) {
            throw new CheckpointFormatException(
                    src, what + " has an impossibly large shape " + Arrays.toString(shape) + "; " + DAMAGED_ADVICE);
        }
        if (elements > Integer.MAX_VALUE - 8) {
            throw new CheckpointFormatException(
                    src,
                    what
                            + " has "
                            + elements
                            + " elements, more than one Java array can hold; split it into smaller tensors.");
        }
        String span = what + " has data_offsets [" + off[0] + ", " + off[1] + "]";
        if (off[1] < off[0]) {
            throw new CheckpointFormatException(src, span + " that end before they begin; " + DAMAGED_ADVICE);
        }
        if (off[1] - off[0] != expectedBytes) {
            throw new CheckpointFormatException(
                    src,
                    span + " spanning " + (off[1] - off[0]) + " bytes, but shape " + Arrays.toString(shape)
                            + " of F32 needs " + expectedBytes + " bytes; " + DAMAGED_ADVICE);
        }
        return new HeaderEntry(name, shape, elements, off[0], off[1], index);
    }

    /** Reads a JSON array of non-negative integers; {@code requiredLength < 0} means any length. */
    private static long[] nonNegativeLongs(String src, String what, String key, JsonNode node, int requiredLength)
            throws CheckpointFormatException {
        String expected = requiredLength < 0
                ? "an array of non-negative integers"
                : "an array of " + requiredLength + " non-negative integers";
        if (!node.isArray() || (requiredLength >= 0 && node.size() != requiredLength)) {
            throw new CheckpointFormatException(
                    src, what + " has \"" + key + "\" " + node + ", expected " + expected + "; " + DAMAGED_ADVICE);
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw new CheckpointFormatException(
                        src, what + " has \"" + key + "\" " + node + ", expected " + expected + "; " + DAMAGED_ADVICE);
            }
            out[i] = v.longValue();
            if (out[i] < 0) {
                throw new CheckpointFormatException(
                        src,
                        what
                                + " has negative \""
                                + key
                                + "\" "
                                + node
                                + ", expected "
                                + expected
                                + "; "
                                + DAMAGED_ADVICE);
            }
        }
        return out;
    }
}
