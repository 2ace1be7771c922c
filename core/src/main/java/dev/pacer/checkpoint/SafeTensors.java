package dev.pacer.checkpoint;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
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
 * <p>This class holds no state and is safe to use from several threads. The work is done by
 * {@link SafeTensorsWriter}, {@link SafeTensorsHeaderParser} (with {@link HeaderEntry}) and
 * {@link SafeTensorsReader}.
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
    static final int CHUNK_FLOATS = 64 * 1024;

    static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** Strict on reading: a repeated key or trailing tokens mean a damaged header. */
    static final JsonMapper HEADER_JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private SafeTensors() {}

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
        SafeTensorsWriter.write(out, tensors, metadata);
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

    /**
     * Reads a whole safetensors file from {@code in} (to its end; the stream is not closed).
     *
     * @param sourceName the file the stream comes from, used in error messages
     * @throws CheckpointFormatException if the contents are not a valid float32 safetensors file
     * @throws IOException if reading fails
     */
    public static Contents read(InputStream in, String sourceName) throws IOException {
        return read(in, sourceName, -1);
    }

    /**
     * Reads a safetensors file of {@code fileSize} bytes from {@code in}: with the size known, a
     * truncated file is reported before any tensor memory is allocated.
     */
    public static Contents read(InputStream in, String sourceName, long fileSize) throws IOException {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(sourceName, "sourceName");
        return SafeTensorsReader.read(in, sourceName, fileSize);
    }

    /**
     * Reads the safetensors file {@code file}. Because the file size is known, a truncated file or
     * trailing bytes are reported before any tensor memory is allocated.
     */
    public static Contents read(Path file) throws IOException {
        long size = Files.size(file);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
            return SafeTensorsReader.read(in, file.toString(), size);
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
        SafeTensorsHeaderParser.ParsedHeader h = SafeTensorsHeaderParser.parse(in, src, fileSize);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (HeaderEntry e : h.entries()) {
            shapes.put(e.name(), e.shape());
        }
        return new Header(shapes, h.metadata(), h.dataBytes());
    }

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
