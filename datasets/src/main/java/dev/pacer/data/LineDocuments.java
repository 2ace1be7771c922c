package dev.pacer.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.ObjIntConsumer;

/**
 * Reads a one-document-a-line corpus. Lines in the Europarl layout (title TAB date TAB body)
 * become "title\nbody"; any other line is taken whole. Blank lines are skipped and counted.
 * Invalid UTF-8 is replaced with U+FFFD and the lines that held it are counted.
 */
public final class LineDocuments {

    /** What a pass over the corpus saw. */
    public record Counts(long documents, long blankLines, long linesWithInvalidUtf8) {}

    private LineDocuments() {}

    /** Calls {@code sink} with each document and its 0-based index among documents. */
    public static Counts read(InputStream in, ObjIntConsumer<String> sink) throws IOException {
        var decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        long blank = 0;
        long invalid = 0;
        int index = 0;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, decoder), 1 << 16)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    blank++;
                    continue;
                }
                if (line.indexOf('\uFFFD') >= 0) {
                    invalid++;
                }
                sink.accept(toDocument(line), index++);
            }
        }
        return new Counts(index, blank, invalid);
    }

    /** A line in the Europarl layout (title TAB date TAB body) as "title\nbody"; others whole. */
    public static String toDocument(String line) {
        int first = line.indexOf('\t');
        int second = first < 0 ? -1 : line.indexOf('\t', first + 1);
        if (second < 0) {
            return line;
        }
        return line.substring(0, first) + "\n" + line.substring(second + 1).trim();
    }
}
