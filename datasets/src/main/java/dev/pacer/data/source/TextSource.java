package dev.pacer.data.source;

import dev.pacer.data.LineDocuments;
import java.io.IOException;
import java.io.InputStream;

/** Plain UTF-8 text: one document a line, or the whole file as one document. */
public final class TextSource {

    private TextSource() {}

    /** Each non-blank line is a document; {@code europarl} lines become "title\nbody". */
    public static void readLines(InputStream in, RecordCollector c, boolean europarl) throws IOException {
        ByteLines.forEach(in, (buf, off, len, lineNo) -> {
            String line = c.decode(buf, off, len, lineNo);
            if (line == null) {
                return;
            }
            if (europarl && !line.isBlank()) {
                c.document(LineDocuments.toDocument(line));
            } else {
                c.text(line, lineNo);
            }
        });
    }

    /** The whole file is one document. */
    public static void readWhole(InputStream in, RecordCollector c) throws IOException {
        byte[] bytes = in.readAllBytes();
        int off =
                bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF
                        ? 3
                        : 0;
        String text = c.decode(bytes, off, bytes.length - off, 0);
        if (text != null) {
            c.text(text, 0);
        }
    }
}
