package dev.pacer.data.shard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.data.CorpusException;
import dev.pacer.data.source.InputUnit;
import dev.pacer.data.source.SkipReason;
import dev.pacer.data.source.SourceCounts;
import dev.pacer.data.source.SourceFormat;
import dev.pacer.data.tokenize.TokenizerInfo;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code manifest.json} of a prepared dataset, written last: its presence is what makes a dataset
 * complete. It records where the text came from, how it was read and tokenized, every count
 * (documents, tokens, sequences per split; records skipped by reason, with examples), the
 * config digest and every shard with its row count and SHA-256.
 *
 * @param created ISO-8601 creation time
 * @param inputs the inputs as given (paths, directories, globs), or the bundled corpus's name
 * @param files the files read, in order
 * @param settings how records were read, split and packed (the keys of pacer.data that apply)
 * @param seqLen tokens per training sequence; rows hold {@code seqLen + 1}
 * @param versions the dataset's versions ({@code prepare --append}), version 1 (this manifest's own
 *     shards) first; empty in a later version's own manifest and in manifests written before
 *     versions existed. The other fields describe version 1; later versions have manifests of their
 *     own ({@link DatasetVersion}).
 */
public record DatasetManifest(
        String created,
        List<String> inputs,
        List<InputUnit> files,
        Settings settings,
        TokenizerInfo tokenizer,
        int seqLen,
        SourceCounts counts,
        List<ShardInfo> shards,
        String configDigest,
        List<DatasetVersion> versions)
        implements Serializable {

    public static final String FILE = "manifest.json";
    public static final String FORMAT = "pacer-token-dataset";
    /** The format of a dataset of one version (and the one the config digest covers). */
    public static final int VERSION = 1;
    /**
     * The format of a dataset with more than one version: readers that know only {@link #VERSION}
     * refuse it instead of training on its first version alone.
     */
    public static final int VERSIONED = 2;

    public DatasetManifest {
        inputs = List.copyOf(inputs);
        files = List.copyOf(files);
        shards = List.copyOf(shards);
        versions = List.copyOf(versions);
    }

    /** This manifest listing {@code all} as the dataset's versions (version 1 first). */
    public DatasetManifest withVersions(List<DatasetVersion> all) {
        return new DatasetManifest(
                created, inputs, files, settings, tokenizer, seqLen, counts, shards, configDigest, all);
    }

    /** The dataset's versions: the listed ones, or version 1 alone (this manifest) when none are listed. */
    public List<DatasetVersion> versionList() {
        return versions.isEmpty() ? List.of(DatasetVersion.of(1, this, "")) : versions;
    }

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A shard's path inside the dataset: relative, plain characters (a path Hadoop accepts). */
    private static final java.util.regex.Pattern SHARD_PATH =
            java.util.regex.Pattern.compile("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*");

    /** The preparation settings that shape the data (all but where it is written). */
    public record Settings(
            String format,
            String textUnit,
            String textField,
            String invalidUtf8,
            double validationFraction,
            boolean dedup,
            long maxDocuments,
            double maxBadFraction,
            int shards)
            implements Serializable {}

    public int rowLength() {
        return seqLen + 1;
    }

    public int shardCount() {
        return settings.shards();
    }

    public List<ShardInfo> shards(String split) {
        return shards.stream().filter(s -> s.split().equals(split)).toList();
    }

    /** Sums over one split's shards: documents, tokens in rows, rows, dropped tail tokens, UTF-8 bytes. */
    public long[] totals(String split) {
        long[] t = new long[5];
        for (ShardInfo s : shards(split)) {
            t[0] += s.documents();
            t[1] += s.tokens();
            t[2] += s.rows();
            t[3] += s.droppedTailTokens();
            t[4] += s.utf8Bytes();
        }
        return t;
    }

    /** SHA-256 over the settings, inputs and tokenizer: equal digests mean equal preparations. */
    public static String configDigest(List<String> inputs, Settings s, TokenizerInfo t, int seqLen) {
        String canonical = String.join(
                "\n",
                "inputs=" + inputs,
                "settings=" + s,
                "tokenizer=" + t.type() + ":" + t.sha256() + ":" + t.endOfDocument(),
                "seq_len=" + seqLen,
                "format_version=" + VERSION);
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public byte[] toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT)
                .put("format_version", versions.size() > 1 ? VERSIONED : VERSION)
                .put("created", created)
                .put("config_digest", configDigest);
        ArrayNode in = root.putArray("sources");
        for (String i : inputs) {
            ObjectNode o = in.addObject().put("input", i);
            long n = 0;
            long bytes = 0;
            for (InputUnit u : files) {
                if (u.origin().equals(i)) {
                    n++;
                    bytes += Math.max(0, u.length());
                }
            }
            o.put("files", n).put("bytes", bytes);
        }
        ArrayNode fl = root.putArray("files");
        for (InputUnit u : files) {
            fl.addObject().put("path", u.path()).put("format", u.format().id()).put("bytes", u.length());
        }
        ObjectNode st = root.putObject("settings");
        st.put("format", settings.format())
                .put("text_unit", settings.textUnit())
                .put("text_field", settings.textField())
                .put("invalid_utf8", settings.invalidUtf8())
                .put("validation_fraction", settings.validationFraction())
                .put("dedup", settings.dedup())
                .put("max_documents", settings.maxDocuments())
                .put("max_bad_fraction", settings.maxBadFraction())
                .put("shards", settings.shards());
        tokenizer.writeTo(root.putObject("tokenizer"));
        root.put("seq_len", seqLen).put("row_tokens", rowLength()).put("token_type", "uint16");
        ObjectNode c = root.putObject("counts");
        c.put("records", counts.records()).put("documents_read", counts.documents());
        long[] tr = totals(ShardInfo.TRAIN);
        long[] va = totals(ShardInfo.VALIDATION);
        c.put("documents", tr[0] + va[0])
                .put("tokens", tr[1] + tr[3] + va[1] + va[3])
                .put("sequences", tr[2] + va[2])
                .put("dropped_tail_tokens", tr[3] + va[3])
                .put("utf8_bytes", tr[4] + va[4]);
        split(c.putObject("train"), tr);
        split(c.putObject("validation"), va);
        ObjectNode sk = root.putObject("skipped");
        for (SkipReason r : SkipReason.values()) {
            sk.put(r.key(), counts.skipped(r));
        }
        root.put("invalid_utf8_replaced", counts.utf8Replaced());
        SourceCounts.ByteCounts text = counts.text();
        root.putObject("text_bytes")
                .put("bytes", text.bytes())
                .put("invalid_utf8_records", counts.invalidUtf8Records())
                .put("invalid_utf8_sequences", text.invalidUtf8Sequences())
                .put("invalid_utf8_bytes", text.invalidUtf8Bytes())
                .put("nul_bytes", text.nulBytes())
                .put("non_text_fraction", text.nonTextFraction());
        root.put("bad_fraction", counts.badFraction());
        ArrayNode ex = root.putArray("bad_record_examples");
        for (SourceCounts.Example e : counts.examples()) {
            ex.addObject().put("reason", e.reason()).put("where", e.where()).put("detail", e.detail());
        }
        ArrayNode sh = root.putArray("shards");
        for (ShardInfo s : shards) {
            sh.addObject()
                    .put("split", s.split())
                    .put("index", s.index())
                    .put("path", s.path())
                    .put("rows", s.rows())
                    .put("documents", s.documents())
                    .put("tokens", s.tokens())
                    .put("dropped_tail_tokens", s.droppedTailTokens())
                    .put("utf8_bytes", s.utf8Bytes())
                    .put("bytes", s.bytes())
                    .put("sha256", s.sha256());
        }
        if (!versions.isEmpty()) { // a version's own manifest lists none: the root's lists them all
            ArrayNode vs = root.putArray("versions");
            versions.forEach(v -> v.write(vs.addObject()));
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void split(ObjectNode o, long[] t) {
        o.put("documents", t[0])
                .put("tokens", t[1] + t[3])
                .put("sequences", t[2])
                .put("dropped_tail_tokens", t[3])
                .put("utf8_bytes", t[4]);
    }

    /** Parses and checks a manifest; {@code where} names it in errors. */
    public static DatasetManifest parse(byte[] bytes, String where) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new CorpusException(
                    where + ": not readable JSON (" + CorpusException.firstLine(e) + "); prepare the dataset again", e);
        }
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new CorpusException(where + ": not a Pacer dataset manifest (no \"format\": \"" + FORMAT + "\")");
        }
        int formatVersion = root.path("format_version").asInt();
        if (formatVersion != VERSION && formatVersion != VERSIONED) {
            throw new CorpusException(where + ": format version " + root.path("format_version")
                    + ", this Pacer reads versions " + VERSION + " and " + VERSIONED
                    + "; prepare the dataset again with this version");
        }
        try {
            List<String> inputs = new ArrayList<>();
            for (JsonNode s : need(root, "sources", where)) {
                inputs.add(need(s, "input", where).asText());
            }
            List<InputUnit> files = new ArrayList<>();
            for (JsonNode f : need(root, "files", where)) {
                String format = need(f, "format", where).asText();
                SourceFormat sf = java.util.Arrays.stream(SourceFormat.values())
                        .filter(x -> x.id().equals(format))
                        .findFirst()
                        .orElse(SourceFormat.TEXT);
                files.add(new InputUnit(
                        need(f, "path", where).asText(),
                        sf,
                        need(f, "bytes", where).asLong(),
                        ""));
            }
            JsonNode st = need(root, "settings", where);
            Settings settings = new Settings(
                    need(st, "format", where).asText(),
                    need(st, "text_unit", where).asText(),
                    need(st, "text_field", where).asText(),
                    need(st, "invalid_utf8", where).asText(),
                    need(st, "validation_fraction", where).asDouble(),
                    need(st, "dedup", where).asBoolean(),
                    need(st, "max_documents", where).asLong(),
                    need(st, "max_bad_fraction", where).asDouble(),
                    need(st, "shards", where).asInt());
            JsonNode tk = need(root, "tokenizer", where);
            TokenizerInfo tokenizer = TokenizerInfo.read(field -> need(tk, field, where));
            JsonNode c = need(root, "counts", where);
            JsonNode sk = need(root, "skipped", where);
            long[] skipped = new long[SkipReason.values().length];
            for (SkipReason r : SkipReason.values()) {
                skipped[r.ordinal()] = sk.path(r.key()).asLong(0);
            }
            List<SourceCounts.Example> examples = new ArrayList<>();
            for (JsonNode e : root.path("bad_record_examples")) {
                examples.add(new SourceCounts.Example(
                        e.path("reason").asText(),
                        e.path("where").asText(),
                        e.path("detail").asText()));
            }
            SourceCounts counts = SourceCounts.of(
                    need(c, "records", where).asLong(),
                    need(c, "documents_read", where).asLong(),
                    root.path("invalid_utf8_replaced").asLong(0),
                    skipped,
                    examples,
                    textBytes(root.path("text_bytes")));
            List<ShardInfo> shards = new ArrayList<>();
            for (JsonNode s : need(root, "shards", where)) {
                shards.add(new ShardInfo(
                        need(s, "split", where).asText(),
                        need(s, "index", where).asInt(),
                        need(s, "path", where).asText(),
                        need(s, "rows", where).asLong(),
                        need(s, "documents", where).asLong(),
                        need(s, "tokens", where).asLong(),
                        need(s, "dropped_tail_tokens", where).asLong(),
                        need(s, "utf8_bytes", where).asLong(),
                        need(s, "bytes", where).asLong(),
                        need(s, "sha256", where).asText()));
            }
            DatasetManifest m = new DatasetManifest(
                    need(root, "created", where).asText(),
                    inputs,
                    files,
                    settings,
                    tokenizer,
                    need(root, "seq_len", where).asInt(),
                    counts,
                    shards,
                    need(root, "config_digest", where).asText(),
                    DatasetVersion.parseAll(root.get("versions"), where));
            m.check(where);
            return m;
        } catch (CorpusException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CorpusException(where + ": malformed manifest (" + CorpusException.firstLine(e) + ")", e);
        }
    }

    private void check(String where) {
        if (seqLen < 1 || tokenizer.vocabSize() < 2 || tokenizer.vocabSize() > 1 << 16 || settings.shards() < 1) {
            throw new CorpusException(where + ": implausible seq_len " + seqLen + ", vocab_size "
                    + tokenizer.vocabSize() + " or shards " + settings.shards());
        }
        for (String split : List.of(ShardInfo.TRAIN, ShardInfo.VALIDATION)) {
            List<ShardInfo> s = shards(split);
            if (s.size() != settings.shards()) {
                throw new CorpusException(
                        where + ": lists " + s.size() + " " + split + " shards, expected " + settings.shards());
            }
            for (int i = 0; i < s.size(); i++) {
                if (s.get(i).index() != i
                        || s.get(i).tokens() != s.get(i).rows() * rowLength()
                        || !SHARD_PATH.matcher(s.get(i).path()).matches()
                        || s.get(i).path().contains("..")) {
                    throw new CorpusException(where + ": " + split + " shard entry " + i + " is inconsistent");
                }
            }
        }
    }

    /** The text_bytes counts; zeros for a manifest written before they were counted. */
    private static SourceCounts.ByteCounts textBytes(JsonNode t) {
        return new SourceCounts.ByteCounts(
                "",
                t.path("bytes").asLong(0),
                t.path("invalid_utf8_sequences").asLong(0),
                t.path("invalid_utf8_bytes").asLong(0),
                t.path("nul_bytes").asLong(0));
    }

    private static JsonNode need(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new CorpusException(where + ": missing field '" + field + "'; prepare the dataset again");
        }
        return v;
    }
}
