package dev.pacer.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Reads and writes the safetensors file format (float32 only), in which Pacer checkpoints store
 * model weights and optimizer moments.
 *
 * <h2>Format</h2>
 *
 * <ol>
 *   <li>8 bytes: little-endian unsigned length {@code N} of the header;
 *   <li>{@code N} bytes: UTF-8 JSON object mapping each tensor name to {@code {"dtype": "F32",
 *       "shape": [...], "data_offsets": [begin, end]}}, with offsets relative to the start of the
 *       data section, plus an optional {@code "__metadata__"} object of string to string;
 *   <li>the tensor bytes, little-endian, contiguous, without gaps, up to the end of the file.
 * </ol>
 *
 * <p>The {@linkplain #write writer} emits {@code __metadata__} first (only when there is
 * metadata), then the tensors in list order with consecutive offsets, and pads the header with
 * trailing spaces so that the data section starts at a multiple of 8 bytes. The {@linkplain #read
 * reader} accepts any header length (files written by other tools need not be padded) and any
 * order of entries in the header; it returns the tensors in data-offset order, which for files
 * written here is the order they were written in.
 *
 * <p>Scalars (shape {@code []}, one value) and empty tensors (a zero dimension, no bytes,
 * {@code begin == end}) are supported in both directions.
 *
 * <p>The reader validates everything before trusting it and reports a bad file with a
 * {@link CheckpointFormatException} whose one-line message names the file, says what is wrong and
 * what to do, for example {@code "ckpt/step-400/model.safetensors: truncated safetensors file:
 * header promises 123456 bytes of tensor data but only 1000 are present; ..."}.
 *
 * <h2>Why not DJL's codec</h2>
 *
 * DJL can encode and decode safetensors ({@code ai.djl.ndarray.NDList#encode(OutputStream,
 * NDList.Encoding.SAFETENSORS)} and {@code NDList.decode}), and the tests use it as an independent
 * cross-check. Pacer does not use it for checkpoints because:
 *
 * <ul>
 *   <li>it produces and consumes {@code NDArray}s, which need a native {@code NDManager}: the Spark
 *       driver, which writes and reads checkpoints, should not need libtorch for that;
 *   <li>it handles offsets and sizes as {@code int}, so it cannot go past 2 GB;
 *   <li>it writes no {@code __metadata__} (Pacer records format version, step, etc. there) and
 *       ignores it when reading;
 *   <li>a truncated file, the most common damage in practice (an interrupted copy or write), is
 *       reported only as a generic "Malformed data" error that does not say which file or what to
 *       do about it.
 * </ul>
 *
 * <p>This class holds no state and is safe to use from several threads.
 */
public final class SafeTensors {

    /** The only dtype Pacer reads and writes. */
    public static final String DTYPE_F32 = "F32";

    /** The reserved header key for string-to-string metadata. */
    public static final String METADATA_KEY = "__metadata__";

    /**
     * Largest header accepted, in bytes (the same limit the reference implementation uses); a
     * larger length field means the file is not a safetensors file or is corrupt.
     */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    /** Float values per chunk when streaming tensor data (256 KiB of bytes). */
    private static final int CHUNK_FLOATS = 64 * 1024;

    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** Advice appended to messages about a damaged file. */
    private static final String DAMAGED_ADVICE =
            "the file is corrupt or is not a safetensors file. Delete this checkpoint directory to"
                    + " resume from the previous one.";

    private SafeTensors() {}

    // ---------------------------------------------------------------------------------------------
    // Writing

    /**
     * Writes {@code tensors} (in list order) and {@code metadata} as a safetensors file to {@code
     * out}. The stream is flushed but not closed.
     *
     * @param metadata string-to-string pairs stored under {@code __metadata__}; may be {@code null}
     *     or empty, in which case no {@code __metadata__} entry is written
     * @throws IllegalArgumentException if a name is empty, repeated, or is {@code __metadata__}
     */
    public static void write(OutputStream out, List<NamedTensor> tensors, Map<String, String> metadata)
            throws IOException {
        Objects.requireNonNull(out, "out");
        byte[] header = headerBytes(tensors, metadata);
        byte[] prefix = new byte[8];
        ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
        out.write(prefix);
        out.write(header);
        byte[] buf = new byte[CHUNK_FLOATS * Float.BYTES];
        for (NamedTensor t : tensors) {
            float[] data = t.data();
            for (int start = 0; start < data.length; start += CHUNK_FLOATS) {
                int n = Math.min(CHUNK_FLOATS, data.length - start);
                for (int i = 0; i < n; i++) {
                    INT_LE.set(buf, i * Float.BYTES, Float.floatToRawIntBits(data[start + i]));
                }
                out.write(buf, 0, n * Float.BYTES);
            }
        }
        out.flush();
    }

    /**
     * Writes a safetensors file at {@code file}, replacing any existing file. This does not make
     * the write atomic; callers that need that write to a temporary name and rename.
     */
    public static void write(Path file, List<NamedTensor> tensors, Map<String, String> metadata) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            write(out, tensors, metadata);
        }
    }

    /** The JSON header padded with spaces to a multiple of 8 bytes. */
    private static byte[] headerBytes(List<NamedTensor> tensors, Map<String, String> metadata) {
        Objects.requireNonNull(tensors, "tensors");
        ObjectNode root = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = root.putObject(METADATA_KEY);
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
            if (name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException("tensor name '" + METADATA_KEY + "' is reserved for metadata");
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
            }
            long end = offset + t.byteSize();
            ObjectNode entry = root.putObject(name);
            entry.put("dtype", DTYPE_F32);
            ArrayNode shape = entry.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(root);
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

    // ---------------------------------------------------------------------------------------------
    // Reading

    /**
     * Reads a whole safetensors file from {@code in} (to its end; the stream is not closed).
     *
     * @param sourceName the file the stream comes from, used in error messages
     * @throws CheckpointFormatException if the contents are not a valid float32 safetensors file
     * @throws IOException if reading fails
     */
    public static Contents read(InputStream in, String sourceName) throws IOException {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(sourceName, "sourceName");
        return readInternal(in, sourceName, -1);
    }

    /**
     * Reads a safetensors file of {@code fileSize} bytes from {@code in}: with the size known, a
     * truncated file is reported before any tensor memory is allocated.
     */
    public static Contents read(InputStream in, String sourceName, long fileSize) throws IOException {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(sourceName, "sourceName");
        return readInternal(in, sourceName, fileSize);
    }

    /**
     * Reads the safetensors file {@code file}. Because the file size is known, a truncated file or
     * trailing bytes are reported before any tensor memory is allocated.
     */
    public static Contents read(Path file) throws IOException {
        long size = Files.size(file);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
            return readInternal(in, file.toString(), size);
        }
    }

    /** The header of a safetensors file: its tensors' names and shapes (file order) and metadata. */
    public record Header(Map<String, long[]> shapes, Map<String, String> metadata, long dataBytes) {}

    /**
     * Reads and validates only the header of a file of {@code fileSize} bytes (or -1 if unknown),
     * checking that the file holds exactly the data the header describes: a truncated file is
     * reported without reading its tensors.
     */
    public static Header readHeader(InputStream in, String src, long fileSize) throws IOException {
        ParsedHeader h = parse(in, src, fileSize);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Entry e : h.entries()) {
            shapes.put(e.name, e.shape);
        }
        return new Header(shapes, h.metadata(), h.dataBytes());
    }

    private record ParsedHeader(List<Entry> entries, Map<String, String> metadata, long dataBytes) {}

    /** @param fileSize total size of the input in bytes, or -1 if unknown */
    private static ParsedHeader parse(InputStream in, String src, long fileSize) throws IOException {
        byte[] prefix = in.readNBytes(8);
        if (prefix.length < 8) {
            throw new CheckpointFormatException(
                    src,
                    "not a safetensors file: it is only "
                            + prefix.length
                            + " bytes long, shorter than the 8-byte header-length prefix; "
                            + DAMAGED_ADVICE);
        }
        long headerLen = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLen < 0 || headerLen > MAX_HEADER_BYTES) {
            throw new CheckpointFormatException(
                    src,
                    "not a safetensors file: header length field is "
                            + Long.toUnsignedString(headerLen)
                            + " bytes, more than the "
                            + MAX_HEADER_BYTES
                            + " allowed; "
                            + DAMAGED_ADVICE);
        }
        if (fileSize >= 0 && headerLen > fileSize - 8) {
            throw headerPastEnd(src, headerLen, fileSize - 8);
        }
        byte[] header = in.readNBytes((int) headerLen);
        if (header.length < headerLen) {
            throw headerPastEnd(src, headerLen, header.length);
        }

        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        parseHeader(src, header, entries, metadata);
        long dataBytes = checkLayout(src, entries);

        if (fileSize >= 0) {
            long present = fileSize - 8 - headerLen;
            if (present < dataBytes) {
                throw truncated(src, dataBytes, present);
            }
            if (present > dataBytes) {
                throw trailing(src, dataBytes, present - dataBytes);
            }
        }
        return new ParsedHeader(entries, metadata, dataBytes);
    }

    /** @param fileSize total size of the input in bytes, or -1 if unknown */
    private static Contents readInternal(InputStream in, String src, long fileSize) throws IOException {
        ParsedHeader h = parse(in, src, fileSize);
        List<Entry> entries = h.entries();
        Map<String, String> metadata = h.metadata();
        long dataBytes = h.dataBytes();

        List<NamedTensor> tensors = new ArrayList<>(entries.size());
        byte[] buf = new byte[CHUNK_FLOATS * Float.BYTES];
        long consumed = 0;
        for (Entry e : entries) {
            // of a stream of unknown size, memory follows the data that arrives, not the header's
            // promise: a damaged header must not allocate gigabytes before the data runs out
            float[] data = new float[(int) (fileSize >= 0 ? e.elements : Math.min(e.elements, CHUNK_FLOATS))];
            for (int start = 0; start < e.elements; start += CHUNK_FLOATS) {
                int n = (int) Math.min(CHUNK_FLOATS, e.elements - start);
                int want = n * Float.BYTES;
                int got = in.readNBytes(buf, 0, want);
                consumed += got;
                if (got < want) {
                    throw truncated(src, dataBytes, consumed);
                }
                if (start + n > data.length) {
                    data = Arrays.copyOf(data, (int) Math.min(e.elements, Math.max(start + n, 2L * data.length)));
                }
                for (int i = 0; i < n; i++) {
                    data[start + i] = Float.intBitsToFloat((int) INT_LE.get(buf, i * Float.BYTES));
                }
            }
            tensors.add(new NamedTensor(e.name, e.shape, data));
        }
        long extra = in.transferTo(OutputStream.nullOutputStream());
        if (extra > 0) {
            throw trailing(src, dataBytes, extra);
        }
        return new Contents(tensors, metadata);
    }

    /** One tensor entry of the header, validated on its own. */
    private record Entry(String name, long[] shape, long elements, long begin, long end, int index) {}

    private static void parseHeader(String src, byte[] header, List<Entry> entries, Map<String, String> metadata)
            throws CheckpointFormatException {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(header))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointFormatException(src, "safetensors header is not valid UTF-8 JSON; " + DAMAGED_ADVICE);
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new CheckpointFormatException(
                    src,
                    "safetensors header is not valid JSON ("
                            + e.getOriginalMessage()
                            + " at header character "
                            + (e.getLocation() == null ? "?" : e.getLocation().getCharOffset())
                            + "); "
                            + DAMAGED_ADVICE);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointFormatException(
                    src,
                    "safetensors header is not a JSON object (found "
                            + (root == null || root.isMissingNode() ? "nothing" : root.getNodeType())
                            + "); "
                            + DAMAGED_ADVICE);
        }
        int index = 0;
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (name.equals(METADATA_KEY)) {
                parseMetadata(src, value, metadata);
                continue;
            }
            entries.add(parseEntry(src, name, value, index++));
        }
    }

    private static void parseMetadata(String src, JsonNode value, Map<String, String> metadata)
            throws CheckpointFormatException {
        if (value.isNull()) {
            return;
        }
        if (!value.isObject()) {
            throw new CheckpointFormatException(
                    src, "\"__metadata__\" must be a JSON object of strings; " + DAMAGED_ADVICE);
        }
        for (Map.Entry<String, JsonNode> m : value.properties()) {
            if (!m.getValue().isTextual()) {
                throw new CheckpointFormatException(
                        src, "\"__metadata__\" value for key '" + m.getKey() + "' is not a string; " + DAMAGED_ADVICE);
            }
            metadata.put(m.getKey(), m.getValue().textValue());
        }
    }

    private static Entry parseEntry(String src, String name, JsonNode value, int index)
            throws CheckpointFormatException {
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
        if (!DTYPE_F32.equals(dtype.textValue())) {
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
        if (off[1] < off[0]) {
            throw new CheckpointFormatException(
                    src,
                    what
                            + " has data_offsets ["
                            + off[0]
                            + ", "
                            + off[1]
                            + "] that end before they begin; "
                            + DAMAGED_ADVICE);
        }
        if (off[1] - off[0] != expectedBytes) {
            throw new CheckpointFormatException(
                    src,
                    what
                            + " has data_offsets ["
                            + off[0]
                            + ", "
                            + off[1]
                            + "] spanning "
                            + (off[1] - off[0])
                            + " bytes, but shape "
                            + Arrays.toString(shape)
                            + " of F32 needs "
                            + expectedBytes
                            + " bytes; "
                            + DAMAGED_ADVICE);
        }
        return new Entry(name, shape, elements, off[0], off[1], index);
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

    /**
     * Sorts {@code entries} into data order and checks that they tile {@code [0, total)} exactly.
     *
     * @return the total number of data bytes the header promises
     */
    private static long checkLayout(String src, List<Entry> entries) throws CheckpointFormatException {
        entries.sort(Comparator.comparingLong(Entry::begin)
                .thenComparingLong(Entry::end)
                .thenComparingInt(Entry::index));
        long expected = 0;
        Entry previous = null;
        for (Entry e : entries) {
            if (e.begin < expected) {
                throw new CheckpointFormatException(
                        src,
                        "tensor '"
                                + e.name
                                + "' data_offsets ["
                                + e.begin
                                + ", "
                                + e.end
                                + "] overlap tensor '"
                                + previous.name
                                + "' ["
                                + previous.begin
                                + ", "
                                + previous.end
                                + "]; "
                                + DAMAGED_ADVICE);
            }
            if (e.begin > expected) {
                throw new CheckpointFormatException(
                        src,
                        "tensor '"
                                + e.name
                                + "' data_offsets ["
                                + e.begin
                                + ", "
                                + e.end
                                + "] leave a gap of "
                                + (e.begin - expected)
                                + " bytes after byte "
                                + expected
                                + " of the data section; "
                                + DAMAGED_ADVICE);
            }
            expected = e.end;
            previous = e;
        }
        return expected;
    }

    private static CheckpointFormatException headerPastEnd(String src, long headerLen, long avail) {
        return new CheckpointFormatException(
                src,
                "truncated or not a safetensors file: header length field says "
                        + headerLen
                        + " bytes but only "
                        + avail
                        + " bytes follow the 8-byte prefix; "
                        + DAMAGED_ADVICE);
    }

    private static CheckpointFormatException truncated(String src, long promised, long present) {
        return new CheckpointFormatException(
                src,
                "truncated safetensors file: header promises "
                        + promised
                        + " bytes of tensor data but only "
                        + present
                        + " are present; the file was cut off (interrupted copy or write). Delete this"
                        + " checkpoint directory to resume from the previous one.");
    }

    private static CheckpointFormatException trailing(String src, long promised, long extra) {
        return new CheckpointFormatException(
                src,
                "unexpected "
                        + extra
                        + " trailing bytes after the "
                        + promised
                        + " bytes of tensor data the header declares; the file was appended to or its"
                        + " header is damaged. Delete this checkpoint directory to resume from the previous"
                        + " one.");
    }

    // ---------------------------------------------------------------------------------------------
    // Result

    /**
     * What {@link #read} found: the tensors in data-offset order and the metadata. Immutable (but
     * see {@link NamedTensor} about the data arrays).
     */
    public static final class Contents {
        private final List<NamedTensor> tensors;
        private final Map<String, String> metadata;
        private final Map<String, NamedTensor> byName;

        /** @throws IllegalArgumentException if two tensors share a name */
        public Contents(List<NamedTensor> tensors, Map<String, String> metadata) {
            this.tensors = List.copyOf(tensors);
            this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
            Map<String, NamedTensor> index = new LinkedHashMap<>();
            for (NamedTensor t : this.tensors) {
                if (index.put(t.name(), t) != null) {
                    throw new IllegalArgumentException("duplicate tensor name '" + t.name() + "'");
                }
            }
            this.byName = Collections.unmodifiableMap(index);
        }

        /** The tensors in the order their data appears in the file. */
        public List<NamedTensor> tensors() {
            return tensors;
        }

        /** The {@code __metadata__} pairs, in header order; empty when the file has none. */
        public Map<String, String> metadata() {
            return metadata;
        }

        /** The tensor called {@code name}, if present. */
        public Optional<NamedTensor> get(String name) {
            return Optional.ofNullable(byName.get(name));
        }

        /** Tensor names in data order. */
        public Set<String> names() {
            return byName.keySet();
        }

        @Override
        public String toString() {
            return "SafeTensors.Contents[" + tensors + ", metadata=" + metadata + "]";
        }
    }
}
