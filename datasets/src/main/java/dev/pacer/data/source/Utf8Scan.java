package dev.pacer.data.source;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * What in a record's bytes is not text: malformed UTF-8 sequences (each one a U+FFFD when
 * replaced, as the JDK's decoder delimits them) with the bytes they span, and NUL bytes.
 */
final class Utf8Scan {

    private Utf8Scan() {}

    /** Malformed sequences in {@code bytes[off, off + len)}: {count, bytes}. */
    static long[] malformed(byte[] bytes, int off, int len) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, off, len);
        CharBuffer out = CharBuffer.allocate(Math.max(16, Math.min(len, 8192)));
        long sequences = 0;
        long spanned = 0;
        while (true) {
            CoderResult r = decoder.decode(in, out, true);
            if (r.isError()) {
                sequences++;
                spanned += r.length();
                in.position(in.position() + r.length());
            } else if (r.isOverflow()) {
                out.clear();
            } else {
                return new long[] {sequences, spanned};
            }
        }
    }

    /** NUL characters of decoded text (a NUL byte decodes to U+0000 and nothing else does). */
    static long nulCharacters(String text) {
        if (text.indexOf('\u0000') < 0) {
            return 0;
        }
        return text.chars().filter(c -> c == 0).count();
    }
}
