package dev.pacer.data.tokenize;

/** Text to token ids and back. Implementations are safe to share between threads. */
public interface TextTokenizer {

    int vocabSize();

    /** The id appended after every document. */
    int endOfDocument();

    /** Ids of {@code text}, without special tokens and without the end-of-document id. */
    int[] encode(String text);

    /** Text of {@code ids}. */
    String decode(int[] ids);
}
