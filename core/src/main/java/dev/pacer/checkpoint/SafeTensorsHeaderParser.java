package dev.pacer.checkpoint;

import static dev.pacer.checkpoint.SafeTensorsErrors.DAMAGED_ADVICE;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the length prefix and JSON header of a safetensors file and validates them before any
 * tensor data is trusted: the header must fit the file, every entry must be well formed (see
 * {@link HeaderEntry}), and the entries together must tile the data section without gaps or
 * overlaps.
 */
final class SafeTensorsHeaderParser {

    /**
     * A validated header.
     *
     * @param entries the tensor entries in data-offset order
     * @param dataBytes the size of the data section the entries tile
     */
    record ParsedHeader(List<HeaderEntry> entries, Map<String, String> metadata, long dataBytes) {}

    private SafeTensorsHeaderParser() {}

    /** @param fileSize total size of the input in bytes, or -1 if unknown */
    static ParsedHeader parse(InputStream in, String src, long fileSize) throws IOException {
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
        if (headerLen < 0 || headerLen > SafeTensors.MAX_HEADER_BYTES) {
            throw new CheckpointFormatException(
                    src,
                    "not a safetensors file: header length field is "
                            + Long.toUnsignedString(headerLen)
                            + " bytes, more than the "
                            + SafeTensors.MAX_HEADER_BYTES
                            + " allowed; "
                            + DAMAGED_ADVICE);
        }
        if (fileSize >= 0 && headerLen > fileSize - 8) {
            throw SafeTensorsErrors.headerPastEnd(src, headerLen, fileSize - 8);
        }
        byte[] header = in.readNBytes((int) headerLen);
        if (header.length < headerLen) {
            throw SafeTensorsErrors.headerPastEnd(src, headerLen, header.length);
        }

        List<HeaderEntry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        parseJson(src, header, entries, metadata);
        long dataBytes = checkLayout(src, entries);

        if (fileSize >= 0) {
            long present = fileSize - 8 - headerLen;
            if (present < dataBytes) {
                throw SafeTensorsErrors.truncated(src, dataBytes, present);
            }
            if (present > dataBytes) {
                throw SafeTensorsErrors.trailing(src, dataBytes, present - dataBytes);
            }
        }
        return new ParsedHeader(entries, metadata, dataBytes);
    }

    private static void parseJson(String src, byte[] header, List<HeaderEntry> entries, Map<String, String> metadata)
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
            root = SafeTensors.HEADER_JSON.readTree(text);
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
            if (name.equals(SafeTensors.METADATA_KEY)) {
                parseMetadata(src, value, metadata);
                continue;
            }
            entries.add(HeaderEntry.parse(src, name, value, index++));
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

    /**
     * Sorts {@code entries} into data order and checks that they tile {@code [0, total)} exactly.
     *
     * @return the total number of data bytes the header promises
     */
    private static long checkLayout(String src, List<HeaderEntry> entries) throws CheckpointFormatException {
        entries.sort(Comparator.comparingLong(HeaderEntry::begin)
                .thenComparingLong(HeaderEntry::end)
                .thenComparingInt(HeaderEntry::index));
        long expected = 0;
        HeaderEntry previous = null;
        for (HeaderEntry e : entries) {
            String span = "tensor '" + e.name() + "' data_offsets [" + e.begin() + ", " + e.end() + "]";
            if (e.begin() < expected) {
                throw new CheckpointFormatException(
                        src,
                        span + " overlap tensor '" + previous.name() + "' [" + previous.begin() + ", " + previous.end()
                                + "]; " + DAMAGED_ADVICE);
            }
            if (e.begin() > expected) {
                throw new CheckpointFormatException(
                        src,
                        span + " leave a gap of " + (e.begin() - expected) + " bytes after byte " + expected
                                + " of the data section; " + DAMAGED_ADVICE);
            }
            expected = e.end();
            previous = e;
        }
        return expected;
    }
}
