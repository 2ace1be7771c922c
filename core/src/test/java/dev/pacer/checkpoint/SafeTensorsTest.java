package dev.pacer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafeTensorsTest {

    private static final String SRC = "ckpt/step-000400/model.safetensors";

    // ---------------------------------------------------------------------------------------------
    // Helpers, written independently of the code under test

    private static byte[] le64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    private static void putFloatLe(ByteArrayOutputStream out, float f) {
        int bits = Float.floatToRawIntBits(f);
        out.write(bits & 0xff);
        out.write((bits >>> 8) & 0xff);
        out.write((bits >>> 16) & 0xff);
        out.write((bits >>> 24) & 0xff);
    }

    /** A file made of an 8-byte length, the given header text verbatim, and {@code dataBytes} bytes. */
    private static byte[] rawFile(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(le64(h.length));
        out.writeBytes(h);
        for (int i = 0; i < dataBytes; i++) {
            out.write(i * 7);
        }
        return out.toByteArray();
    }

    private static byte[] writeToBytes(List<NamedTensor> tensors, Map<String, String> metadata) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafeTensors.write(out, tensors, metadata);
        return out.toByteArray();
    }

    private static SafeTensors.Contents readBytes(byte[] file) throws IOException {
        return SafeTensors.read(new ByteArrayInputStream(file), SRC);
    }

    private static long readLe64(byte[] b) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xff);
        }
        return v;
    }

    private static void assertBitsEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(
                    Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), what + "[" + i + "]");
        }
    }

    private static CheckpointFormatException assertBad(byte[] file, String... phrases) {
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> readBytes(file));
        String msg = e.getMessage();
        assertTrue(msg.startsWith(SRC + ": "), "message should name the file: " + msg);
        for (String p : phrases) {
            assertTrue(msg.contains(p), "message should contain '" + p + "': " + msg);
        }
        assertFalse(msg.contains("\n") || msg.contains("\r"), "message should be one line: " + msg);
        return e;
    }

    private static final float SUBNORMAL_MIN = Float.intBitsToFloat(1); // 1.4e-45
    private static final float SUBNORMAL_BIG = Float.intBitsToFloat(0x007fffff);
    private static final float NAN_WITH_PAYLOAD = Float.intBitsToFloat(0x7fc00123);
    private static final float NEGATIVE_NAN = Float.intBitsToFloat(0xffc00000);

    private static List<NamedTensor> sampleTensors() {
        return List.of(
                new NamedTensor("wte", new long[] {2, 3}, new float[] {1f, -2.5f, 3.25f, 0f, -0f, 1e-30f}),
                new NamedTensor("special", new long[] {8}, new float[] {
                    Float.NaN,
                    NAN_WITH_PAYLOAD,
                    NEGATIVE_NAN,
                    -0.0f,
                    SUBNORMAL_MIN,
                    -SUBNORMAL_BIG,
                    Float.POSITIVE_INFINITY,
                    Float.NEGATIVE_INFINITY
                }),
                new NamedTensor("step_scale", new long[] {}, new float[] {Float.MAX_VALUE}),
                new NamedTensor("empty", new long[] {0}, new float[0]),
                new NamedTensor("h.0.attn.c_attn.weight", new long[] {2, 1, 2}, new float[] {4, 5, 6, 7}),
                new NamedTensor("empty2d", new long[] {3, 0}, new float[0]),
                new NamedTensor("ünïcødé/名前", new long[] {1}, new float[] {Float.MIN_NORMAL}));
    }

    // ---------------------------------------------------------------------------------------------
    // Writer: exact bytes and header layout

    @Test
    void tinyFileIsByteExact() throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        byte[] actual = writeToBytes(
                List.of(
                        new NamedTensor("a", new long[] {2}, new float[] {1.0f, -2.5f}),
                        new NamedTensor("b", new long[] {}, new float[] {-0.0f})),
                meta);

        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]}}";
        byte[] jsonBytes = json.getBytes(StandardCharsets.UTF_8);
        int padded = jsonBytes.length;
        while (padded % 8 != 0) {
            padded++;
        }
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(le64(padded));
        expected.writeBytes(jsonBytes);
        for (int i = jsonBytes.length; i < padded; i++) {
            expected.write(' ');
        }
        putFloatLe(expected, 1.0f);
        putFloatLe(expected, -2.5f);
        putFloatLe(expected, -0.0f);

        // The JSON above is 138 bytes, so 6 spaces of padding: the padding branch is exercised.
        assertNotEquals(0, jsonBytes.length % 8, "test fixture should need padding");
        assertArrayEquals(expected.toByteArray(), actual);
        // -0.0f on disk is 00 00 00 80 (sign bit in the last byte, little-endian).
        int n = actual.length;
        assertArrayEquals(new byte[] {0, 0, 0, (byte) 0x80}, Arrays.copyOfRange(actual, n - 4, n));
    }

    @Test
    void writtenHeaderParsesIndependentlyWithAlignedContiguousOffsets() throws IOException {
        List<NamedTensor> tensors = sampleTensors();
        Map<String, String> meta = Map.of("step", "400", "note", "ÄÖÜ spaces and \"quotes\"");
        byte[] file = writeToBytes(tensors, meta);

        long headerLen = readLe64(file);
        assertEquals(0, (8 + headerLen) % 8, "data section must start 8-byte aligned");
        String header = new String(file, 8, (int) headerLen, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{"), header);
        String stripped = header.stripTrailing();
        assertTrue(stripped.endsWith("}"), header);
        assertTrue(header.length() - stripped.length() < 8, "at most 7 padding spaces");
        assertTrue(header.substring(stripped.length()).chars().allMatch(c -> c == ' '));

        JsonNode root = new ObjectMapper().readTree(header);
        assertEquals(tensors.size() + 1, root.size());
        assertEquals("400", root.get("__metadata__").get("step").asText());
        assertEquals(meta.get("note"), root.get("__metadata__").get("note").asText());

        List<String> headerNames = new ArrayList<>();
        Iterator<String> it = root.fieldNames();
        while (it.hasNext()) {
            String k = it.next();
            if (!k.equals("__metadata__")) {
                headerNames.add(k);
            }
        }
        List<String> expectedNames = new ArrayList<>();
        long offset = 0;
        for (NamedTensor t : tensors) {
            expectedNames.add(t.name());
            JsonNode e = root.get(t.name());
            assertEquals("F32", e.get("dtype").asText());
            long[] shape = new long[e.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.get("shape").get(i).longValue();
            }
            assertArrayEquals(t.shape(), shape, t.name());
            long size = 4L * t.data().length;
            assertEquals(offset, e.get("data_offsets").get(0).longValue(), t.name() + " begin");
            assertEquals(offset + size, e.get("data_offsets").get(1).longValue(), t.name() + " end");
            // The bytes at that offset are the tensor's values.
            for (int i = 0; i < t.data().length; i++) {
                int pos = (int) (8 + headerLen + offset + 4L * i);
                int bits = (file[pos] & 0xff)
                        | (file[pos + 1] & 0xff) << 8
                        | (file[pos + 2] & 0xff) << 16
                        | (file[pos + 3] & 0xff) << 24;
                assertEquals(Float.floatToRawIntBits(t.data()[i]), bits, t.name() + "[" + i + "]");
            }
            offset += size;
        }
        assertEquals(expectedNames, headerNames, "tensors in list order");
        assertEquals(8 + headerLen + offset, file.length, "no bytes after the data");
    }

    @Test
    void noMetadataEntryWhenMetadataEmptyOrNull() throws IOException {
        for (Map<String, String> meta : Arrays.asList(null, Map.<String, String>of())) {
            byte[] file = writeToBytes(List.of(NamedTensor.vector("x", new float[] {1})), meta);
            String header = new String(file, 8, (int) readLe64(file), StandardCharsets.UTF_8);
            assertFalse(header.contains("__metadata__"), header);
            assertTrue(readBytes(file).metadata().isEmpty());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Round trips

    @Test
    void roundTripPreservesNamesOrderShapesBitsAndMetadata() throws IOException {
        List<NamedTensor> tensors = sampleTensors();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("pacer.format", "1");
        meta.put("step", "400");
        meta.put("unicode", "µ-ß-名前");
        SafeTensors.Contents c = readBytes(writeToBytes(tensors, meta));

        assertEquals(tensors.size(), c.tensors().size());
        for (int i = 0; i < tensors.size(); i++) {
            NamedTensor want = tensors.get(i);
            NamedTensor got = c.tensors().get(i);
            assertEquals(want.name(), got.name());
            assertArrayEquals(want.shape(), got.shape(), want.name());
            assertBitsEqual(want.data(), got.data(), want.name());
            assertEquals(want, got);
            assertEquals(got, c.get(want.name()).orElseThrow());
        }
        assertEquals(List.copyOf(meta.entrySet()), List.copyOf(c.metadata().entrySet()));
        assertTrue(c.get("missing").isEmpty());
        assertThrows(UnsupportedOperationException.class, () -> c.tensors().clear());
        assertThrows(UnsupportedOperationException.class, () -> c.metadata().put("a", "b"));
    }

    @Test
    void roundTripOfTensorsLargerThanOneChunk(@TempDir Path dir) throws IOException {
        Random r = new Random(42);
        float[] big = new float[300_001]; // not a multiple of the internal chunk size
        for (int i = 0; i < big.length; i++) {
            big[i] = Float.intBitsToFloat(r.nextInt()); // every bit pattern, NaNs and subnormals too
        }
        float[] small = {1, 2, 3};
        List<NamedTensor> tensors =
                List.of(new NamedTensor("big", new long[] {big.length}, big), NamedTensor.vector("s", small));
        Path file = dir.resolve("m.safetensors");
        SafeTensors.write(file, tensors, Map.of("k", "v"));
        assertEquals(8 + readLe64(Files.readAllBytes(file)) + 4L * (big.length + small.length), Files.size(file));

        SafeTensors.Contents fromPath = SafeTensors.read(file);
        SafeTensors.Contents fromStream =
                SafeTensors.read(new ByteArrayInputStream(Files.readAllBytes(file)), file.toString());
        for (SafeTensors.Contents c : List.of(fromPath, fromStream)) {
            assertEquals(List.of("big", "s"), List.copyOf(c.names()));
            assertBitsEqual(big, c.get("big").orElseThrow().data(), "big");
            assertBitsEqual(small, c.get("s").orElseThrow().data(), "s");
            assertEquals(Map.of("k", "v"), c.metadata());
        }
    }

    @Test
    void readerReturnsDataOffsetOrderAndAcceptsUnpaddedHeader() throws IOException {
        // Header lists b before a, but a's data comes first; 7-byte-unaligned header, no padding.
        String header = "{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
                + "\"a\":{\"shape\":[2],\"data_offsets\":[0,8],\"dtype\":\"F32\"}}";
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        file.writeBytes(le64(h.length));
        file.writeBytes(h);
        putFloatLe(file, 10f);
        putFloatLe(file, 20f);
        putFloatLe(file, 30f);
        SafeTensors.Contents c = readBytes(file.toByteArray());
        assertEquals(List.of("a", "b"), List.copyOf(c.names()));
        assertArrayEquals(new float[] {10f, 20f}, c.get("a").orElseThrow().data());
        assertArrayEquals(new float[] {30f}, c.get("b").orElseThrow().data());
    }

    @Test
    void emptyFileWithNoTensorsRoundTrips() throws IOException {
        byte[] file = writeToBytes(List.of(), Map.of("only", "metadata"));
        SafeTensors.Contents c = readBytes(file);
        assertTrue(c.tensors().isEmpty());
        assertEquals(Map.of("only", "metadata"), c.metadata());
    }

    // ---------------------------------------------------------------------------------------------
    // Cross-checks with DJL's independent safetensors codec

    @Test
    void djlDecodesWhatWeWrite() throws IOException {
        List<NamedTensor> tensors =
                sampleTensors().stream().filter(t -> t.data().length > 0).toList();
        byte[] file = writeToBytes(tensors, Map.of("step", "7"));
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList decoded = NDList.decode(manager, file);
            assertEquals(tensors.size(), decoded.size());
            Map<String, NDArray> byName = new HashMap<>();
            for (NDArray a : decoded) {
                byName.put(a.getName(), a);
            }
            for (NamedTensor t : tensors) {
                NDArray a = byName.get(t.name());
                assertTrue(a != null, "DJL did not find " + t.name() + " in " + byName.keySet());
                assertArrayEquals(t.shape(), a.getShape().getShape(), t.name());
                assertBitsEqual(t.data(), a.toFloatArray(), t.name());
            }
        }
    }

    @Test
    void weReadWhatDjlWrites() throws IOException {
        float[] w = {0.5f, -1f, 2f, Float.NaN, -0.0f, SUBNORMAL_MIN};
        float[] b = {7f, 8f, 9f};
        float[] s = {42f};
        byte[] file;
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray wa = manager.create(w, new Shape(2, 3));
            wa.setName("layer.weight");
            NDArray ba = manager.create(b, new Shape(3));
            ba.setName("layer.bias");
            NDArray sa = manager.create(s, new Shape(1, 1, 1));
            sa.setName("scale");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new NDList(wa, ba, sa).encode(out, NDList.Encoding.SAFETENSORS);
            file = out.toByteArray();
        }
        SafeTensors.Contents c = readBytes(file);
        assertEquals(3, c.tensors().size());
        NamedTensor wt = c.get("layer.weight").orElseThrow();
        assertArrayEquals(new long[] {2, 3}, wt.shape());
        assertBitsEqual(w, wt.data(), "layer.weight");
        NamedTensor bt = c.get("layer.bias").orElseThrow();
        assertArrayEquals(new long[] {3}, bt.shape());
        assertBitsEqual(b, bt.data(), "layer.bias");
        NamedTensor st = c.get("scale").orElseThrow();
        assertArrayEquals(new long[] {1, 1, 1}, st.shape());
        assertBitsEqual(s, st.data(), "scale");
        assertTrue(c.metadata().isEmpty());
    }

    // ---------------------------------------------------------------------------------------------
    // Writer argument checks

    @Test
    void writerRejectsDuplicateEmptyAndReservedNames() {
        NamedTensor a = NamedTensor.vector("a", new float[] {1});
        NamedTensor a2 = NamedTensor.vector("a", new float[] {2});
        IllegalArgumentException dup =
                assertThrows(IllegalArgumentException.class, () -> writeToBytes(List.of(a, a2), null));
        assertTrue(dup.getMessage().contains("duplicate"), dup.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> writeToBytes(List.of(NamedTensor.vector("__metadata__", new float[] {1})), null));
        assertThrows(IllegalArgumentException.class, () -> new NamedTensor("", new long[] {1}, new float[1]));
    }

    @Test
    void namedTensorValidatesShapeAgainstData() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> new NamedTensor("w", new long[] {2, 3}, new float[5]));
        assertTrue(e.getMessage().contains("6") && e.getMessage().contains("5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NamedTensor("w", new long[] {-1}, new float[0]));
        assertThrows(IllegalArgumentException.class, () -> new NamedTensor("s", new long[] {}, new float[0]));
        long[] shape = {4};
        NamedTensor t = new NamedTensor("v", shape, new float[4]);
        shape[0] = 99;
        assertArrayEquals(new long[] {4}, t.shape(), "shape is copied");
    }

    // ---------------------------------------------------------------------------------------------
    // Bad input, one case per test

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7})
    void fileShorterThanEightBytes(int length) {
        assertBad(new byte[length], "only " + length + " bytes long", "8-byte");
    }

    @Test
    void headerLengthLargerThanRemainingBytes() {
        byte[] file = rawFile("{}", 0);
        byte[] lying = file.clone();
        System.arraycopy(le64(1000), 0, lying, 0, 8);
        assertBad(lying, "header length field says 1000 bytes but only 2 bytes follow");
    }

    @Test
    void absurdHeaderLength() {
        byte[] file = rawFile("{}", 0);
        System.arraycopy(le64(200_000_000L), 0, file, 0, 8);
        assertBad(file, "200000000", "not a safetensors file");
        // An unsigned length with the top bit set is absurd too, not a negative number.
        System.arraycopy(le64(-1L), 0, file, 0, 8);
        assertBad(file, "18446744073709551615", "not a safetensors file");
    }

    @Test
    void headerNotValidJson() {
        assertBad(rawFile("{\"a\": {\"dtype\": \"F32\",", 0), "not valid JSON");
        assertBad(rawFile("{\"a\":1} trailing", 0), "not valid JSON");
    }

    @Test
    void headerNotUtf8() {
        byte[] file = rawFile("{\"aa\":{}}", 0);
        file[10] = (byte) 0xff; // inside the key
        assertBad(file, "not valid UTF-8");
    }

    @Test
    void headerNotAnObject() {
        assertBad(rawFile("[1, 2, 3]", 0), "not a JSON object");
        assertBad(rawFile("        ", 0), "not a JSON object");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dtype", "shape", "data_offsets"})
    void entryMissingField(String missing) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("dtype", "\"F32\"");
        fields.put("shape", "[2]");
        fields.put("data_offsets", "[0,8]");
        fields.remove(missing);
        StringBuilder sb = new StringBuilder("{\"w\":{");
        fields.forEach(
                (k, v) -> sb.append('"').append(k).append("\":").append(v).append(','));
        sb.setLength(sb.length() - 1);
        sb.append("}}");
        assertBad(rawFile(sb.toString(), 8), "tensor 'w'", "missing \"" + missing + "\"");
    }

    @Test
    void entryNotAnObject() {
        assertBad(rawFile("{\"w\":[1,2]}", 0), "tensor 'w'", "not a JSON object");
    }

    @ParameterizedTest
    @ValueSource(strings = {"F16", "BF16", "F64", "I64"})
    void dtypeOtherThanF32(String dtype) {
        String h = "{\"w\":{\"dtype\":\"" + dtype + "\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        assertBad(rawFile(h, 8), "tensor 'w'", dtype, "only F32 supported");
    }

    @Test
    void negativeOffsets() {
        String h = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}";
        assertBad(rawFile(h, 8), "tensor 'w'", "negative \"data_offsets\"");
    }

    @Test
    void negativeShape() {
        String h = "{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}";
        assertBad(rawFile(h, 8), "tensor 'w'", "negative \"shape\"");
    }

    @Test
    void malformedOffsetsArray() {
        String h = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,16]}}";
        assertBad(rawFile(h, 8), "tensor 'w'", "\"data_offsets\"", "array of 2 non-negative integers");
        String h2 = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}";
        assertBad(rawFile(h2, 8), "tensor 'w'", "\"shape\"", "non-negative integers");
    }

    @Test
    void offsetsEndBeforeBegin() {
        String h = "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}";
        assertBad(rawFile(h, 8), "tensor 'w'", "end before they begin");
    }

    @Test
    void overlappingOffsets() {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertBad(rawFile(h, 12), "tensor 'b'", "overlap tensor 'a'");
    }

    @Test
    void gapBetweenTensors() {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}";
        assertBad(rawFile(h, 16), "tensor 'b'", "gap of 4 bytes");
    }

    @Test
    void gapAtStartOfData() {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        assertBad(rawFile(h, 8), "tensor 'a'", "gap of 4 bytes after byte 0");
    }

    @Test
    void offsetsDisagreeWithShape() {
        String h = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}";
        assertBad(rawFile(h, 20), "tensor 'w'", "spanning 20 bytes", "needs 24 bytes");
    }

    @Test
    void duplicateTensorNameInHeader() {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        assertBad(rawFile(h, 8), "not valid JSON", "Duplicate field 'a'");
    }

    @Test
    void metadataNotStrings() {
        String h =
                "{\"__metadata__\":{\"step\":400}," + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        assertBad(rawFile(h, 4), "\"__metadata__\"", "'step'", "not a string");
    }

    @Test
    void truncatedFile() throws IOException {
        float[] data = new float[100_000];
        Arrays.fill(data, 1.5f);
        byte[] full = writeToBytes(
                List.of(NamedTensor.vector("w", data), NamedTensor.vector("b", new float[] {1, 2})),
                Map.of("step", "400"));
        long headerLen = readLe64(full);
        long promised = 4L * (data.length + 2);
        for (int present : new int[] {0, 1000, 4 * 99_999 + 3, (int) promised - 1}) {
            byte[] cut = Arrays.copyOf(full, (int) (8 + headerLen + present));
            assertBad(
                    cut,
                    "truncated safetensors file",
                    "header promises " + promised + " bytes of tensor data but only " + present + " are present",
                    "Delete this checkpoint directory");
        }
    }

    @Test
    void truncatedFileOnDiskIsReportedWithItsPath(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, List.of(NamedTensor.vector("w", new float[1000])), null);
        byte[] full = Files.readAllBytes(file);
        long headerLen = readLe64(full);
        Files.write(file, Arrays.copyOf(full, (int) (8 + headerLen + 123)));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> SafeTensors.read(file));
        assertTrue(e.getMessage().startsWith(file + ": truncated safetensors file"), e.getMessage());
        assertTrue(
                e.getMessage().contains("header promises 4000 bytes of tensor data but only 123 are"), e.getMessage());
    }

    @Test
    void trailingBytesAfterData() throws IOException {
        byte[] full = writeToBytes(List.of(NamedTensor.vector("w", new float[] {1, 2})), null);
        byte[] longer = Arrays.copyOf(full, full.length + 5);
        assertBad(longer, "5 trailing bytes", "after the 8 bytes of tensor data");
    }

    @Test
    void trailingBytesAfterDataOnDisk(@TempDir Path dir) throws IOException {
        byte[] full = writeToBytes(List.of(NamedTensor.vector("w", new float[] {1, 2})), null);
        Path file = dir.resolve("x.safetensors");
        Files.write(file, Arrays.copyOf(full, full.length + 3));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> SafeTensors.read(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("3 trailing bytes"), e.getMessage());
    }
}
