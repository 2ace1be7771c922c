package dev.pacer.data.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.data.ByteTokenizer;
import dev.pacer.data.CorpusException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A tokenizer as the driver resolved it from {@code pacer.data.tokenizer}: the byte tokenizer, or
 * a Hugging Face {@code tokenizer.json} read once on the driver (from any Hadoop file system),
 * checked, digested and shipped with the task closure, so executors never read the file
 * themselves. The vocabulary size and end-of-document id come from the file.
 */
public final class TokenizerSpec implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String BYTE = "byte";

    /** Token ids are stored in 16 bits (TokenBlock, shards). */
    public static final int MAX_VOCAB = 1 << 16;

    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Plain ASCII every tokenizer is tried on before it is accepted: one that cannot tokenize this
     * is broken for any corpus (other scripts are the corpus's business: refused at encode time).
     */
    private static final String PROBE = "A probe: plain text, digits 0123456789 and (punctuation)!";

    private final String source;
    private final String model;
    private final byte[] json;
    private final String sha256;
    private final int vocabSize;
    private final int endOfDocument;
    private final String endOfDocumentToken;
    private transient JsonNode parsed;

    private TokenizerSpec(
            String source,
            String model,
            byte[] json,
            String sha256,
            int vocabSize,
            int endOfDocument,
            String endOfDocumentToken) {
        this.source = source;
        this.model = model;
        this.json = json;
        this.sha256 = sha256;
        this.vocabSize = vocabSize;
        this.endOfDocument = endOfDocument;
        this.endOfDocumentToken = endOfDocumentToken;
    }

    public static TokenizerSpec byteLevel() {
        return new TokenizerSpec(BYTE, BYTE, null, "", ByteTokenizer.VOCAB, ByteTokenizer.END_OF_DOCUMENT, "");
    }

    /**
     * @param setting {@code pacer.data.tokenizer}: "byte" or a tokenizer.json path/URI
     * @param endToken {@code pacer.data.end-of-document}: a token of the file, or "" to look one up
     */
    public static TokenizerSpec resolve(String setting, String endToken, Configuration conf) {
        if (BYTE.equals(setting)) {
            if (!endToken.isEmpty()) {
                throw new CorpusException("pacer.data.end-of-document = \"" + endToken + "\": the byte tokenizer's"
                        + " end-of-document id is always 256; leave it empty or use a tokenizer.json");
            }
            return byteLevel();
        }
        byte[] bytes = readFile(setting, conf);
        return fromJson(setting, bytes, endToken);
    }

    /** A tokenizer.json given as bytes; {@code source} names it in messages and the manifest. */
    public static TokenizerSpec fromJson(String source, byte[] bytes, String endToken) {
        TokenizerVocabulary v = TokenizerVocabulary.read(source, bytes, endToken);
        TokenizerSpec spec = new TokenizerSpec(
                source, v.model(), bytes, sha256(bytes), v.size(), v.endOfDocument(), v.endOfDocumentToken());
        // fails here, on the driver, if the library cannot load it or cannot tokenize plain text
        spec.open().encode(PROBE);
        return spec;
    }

    private static byte[] readFile(String location, Configuration conf) {
        try {
            Path p = new Path(location);
            FileSystem fs = p.getFileSystem(conf);
            if (!fs.exists(p) || fs.getFileStatus(p).isDirectory()) {
                throw new CorpusException("pacer.data.tokenizer: no tokenizer file at '" + location
                        + "'; give a Hugging Face tokenizer.json (local path or hdfs://, s3a:// URI) or \"byte\"");
            }
            try (InputStream in = fs.open(p)) {
                return in.readAllBytes();
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new CorpusException(
                    "pacer.data.tokenizer: cannot read '" + location + "' (" + CorpusException.firstLine(e) + ")", e);
        }
    }

    /** Hex SHA-256 of {@code bytes}, as tokenizers are identified. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The tokenizer itself; tokenizer.json tokenizers are built once per JVM and shared. */
    public TextTokenizer open() {
        if (json == null) {
            return new ByteTokenizer();
        }
        return HuggingFaceTokenizerFile.cached(this);
    }

    public boolean isByte() {
        return json == null;
    }

    /** "byte", or the tokenizer.json location as configured. */
    public String source() {
        return source;
    }

    /** "byte", or the tokenizer.json model type (BPE, WordPiece, Unigram, WordLevel). */
    public String model() {
        return model;
    }

    byte[] json() {
        return json;
    }

    /**
     * A tokenizer.json kept as a copy (next to a dataset's manifest, in a run directory), read
     * back and checked against the record made when it was copied.
     *
     * @throws CorpusException naming both the copy and the record when they differ
     */
    public static TokenizerSpec fromCopy(String copy, byte[] bytes, TokenizerInfo recorded) {
        String sha = sha256(bytes);
        if (!sha.equals(recorded.sha256())) {
            throw new CorpusException("tokenizer " + copy + " has SHA-256 " + sha.substring(0, 12) + "..., but it was"
                    + " recorded as " + recorded.describe() + "; put back the tokenizer.json it was recorded with");
        }
        TokenizerSpec spec = fromJson(recorded.source(), bytes, recorded.endOfDocumentToken());
        if (spec.vocabSize() != recorded.vocabSize() || spec.endOfDocument() != recorded.endOfDocument()) {
            throw new CorpusException("tokenizer " + copy + " gives " + spec.vocabSize() + " ids and end-of-document "
                    + spec.endOfDocument() + ", but it was recorded as " + recorded.describe());
        }
        return spec;
    }

    /**
     * The tokenizer in Hugging Face's {@code tokenizer.json} form: the file itself, or for the
     * byte tokenizer an equivalent byte-level BPE without merges.
     */
    public byte[] huggingFaceJson() {
        return json == null ? ByteTokenizerJson.bytes() : json.clone();
    }

    /** The parsed tokenizer.json. */
    JsonNode root() {
        JsonNode r = parsed;
        if (r == null) {
            try {
                r = JSON.readTree(json);
            } catch (IOException e) {
                throw new IllegalStateException("tokenizer.json parsed once already", e);
            }
            parsed = r;
        }
        return r;
    }

    /** A copy of the tokenizer.json bytes; empty for the byte tokenizer. */
    public byte[] jsonBytes() {
        return json == null ? new byte[0] : json.clone();
    }

    /** SHA-256 of the tokenizer.json bytes; empty for the byte tokenizer. */
    public String sha256() {
        return sha256;
    }

    public int vocabSize() {
        return vocabSize;
    }

    public int endOfDocument() {
        return endOfDocument;
    }

    /** The end-of-document token's text; empty for the byte tokenizer. */
    public String endOfDocumentToken() {
        return endOfDocumentToken;
    }

    /** What the manifest records about the tokenizer. */
    public TokenizerInfo info() {
        return new TokenizerInfo(
                isByte() ? BYTE : "huggingface", model, source, sha256, vocabSize, endOfDocument, endOfDocumentToken);
    }
}
