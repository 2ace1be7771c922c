package dev.pacer.data.source;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into lines without decoding it first, so each line's UTF-8 can be checked
 * on its own. Line ends are LF or CRLF; a UTF-8 byte-order mark at the start is dropped; a last
 * line without a line end still counts.
 */
final class ByteLines {

    interface Handler {
        void line(byte[] buf, int off, int len, long lineNumber) throws IOException;
    }

    private ByteLines() {}

    static void forEach(InputStream in, Handler handler) throws IOException {
        byte[] buf = new byte[1 << 16];
        int start = 0;
        int end = 0;
        long lineNo = 0;
        boolean first = true;
        while (true) {
            if (end == buf.length) {
                if (start > 0) {
                    System.arraycopy(buf, start, buf, 0, end - start);
                    end -= start;
                    start = 0;
                } else {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
            }
            int n = in.read(buf, end, buf.length - end);
            if (n < 0) {
                break;
            }
            int scan = end;
            end += n;
            if (first && end >= 3) {
                if ((buf[0] & 0xFF) == 0xEF && (buf[1] & 0xFF) == 0xBB && (buf[2] & 0xFF) == 0xBF) {
                    start = 3;
                    scan = Math.max(scan, 3);
                }
                first = false;
            }
            for (int i = scan; i < end; i++) {
                if (buf[i] == '\n') {
                    int len = i - start;
                    if (len > 0 && buf[start + len - 1] == '\r') {
                        len--;
                    }
                    handler.line(buf, start, len, ++lineNo);
                    start = i + 1;
                }
            }
        }
        if (end > start) {
            int len = end - start;
            if (buf[start + len - 1] == '\r') {
                len--;
            }
            handler.line(buf, start, len, ++lineNo);
        }
    }
}
