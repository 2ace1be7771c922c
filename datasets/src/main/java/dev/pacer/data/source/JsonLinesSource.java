package dev.pacer.data.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.data.CorpusException;
import java.io.IOException;
import java.io.InputStream;

/**
 * JSON Lines: one JSON object a line, the document in a string field. A line that does not parse,
 * lacks the field or holds a non-string there is skipped and counted, never guessed at.
 */
public final class JsonLinesSource {

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonLinesSource() {}

    public static void read(InputStream in, String field, RecordCollector c) throws IOException {
        ByteLines.forEach(in, (buf, off, len, lineNo) -> {
            String line = c.decode(buf, off, len, lineNo);
            if (line == null) {
                return;
            }
            if (line.isBlank()) {
                c.skip(SkipReason.EMPTY, lineNo, "");
                return;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                c.skip(SkipReason.MALFORMED_JSON, lineNo, CorpusException.firstLine(e));
                return;
            }
            if (node == null || !node.isObject()) {
                c.skip(SkipReason.MALFORMED_JSON, lineNo, "not a JSON object");
                return;
            }
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                c.skip(SkipReason.MISSING_FIELD, lineNo, "no field '" + field + "'");
            } else if (!value.isTextual()) {
                c.skip(
                        SkipReason.NOT_TEXT,
                        lineNo,
                        "field '" + field + "' holds a "
                                + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + ", not a string");
            } else {
                c.text(value.textValue(), lineNo);
            }
        });
    }
}
