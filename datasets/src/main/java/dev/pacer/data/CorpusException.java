package dev.pacer.data;

/**
 * Input that cannot be turned into training data: a missing or corrupt file, a malformed
 * manifest, a tokenizer that cannot be read, too many bad records. The message is one line that
 * names the file (or setting) at fault and says how to fix it; line breaks that come with text
 * quoted from the input (a column name, a parser's message) become spaces.
 */
public class CorpusException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CorpusException(String message) {
        super(oneLine(message));
    }

    public CorpusException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    private static String oneLine(String s) {
        return s == null ? null : s.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    /** First line of a throwable's message, or its class name when it has none. */
    public static String firstLine(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).trim();
    }
}
