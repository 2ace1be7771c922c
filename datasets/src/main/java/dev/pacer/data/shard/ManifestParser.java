package dev.pacer.data.shard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.data.CorpusException;
import dev.pacer.data.shard.DatasetManifest.Settings;
import dev.pacer.data.source.InputUnit;
import dev.pacer.data.source.SkipReason;
import dev.pacer.data.source.SourceCounts;
import dev.pacer.data.source.SourceFormat;
import dev.pacer.data.tokenize.TokenizerInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code manifest.json} back and checks it before anything trusts it: the format and its
 * version, every required field, and shard entries that agree with the settings (one per index
 * and split, whole rows, plain relative paths that stay inside the dataset). A manifest written
 * before a count existed reads as zero for it.
 */
final class ManifestParser {

    /** A shard's path inside the dataset: relative, plain characters (a path Hadoop accepts). */
    private static final java.util.regex.Pattern SHARD_PATH =
            java.util.regex.Pattern.compile("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*");

    private ManifestParser() {}

    /** Parses and checks a manifest; {@code where} names it in errors. */
    static DatasetManifest parse(byte[] bytes, String where) {
        JsonNode root;
        try {
            root = DatasetManifest.JSON.readTree(bytes);
        } catch (IOException e) {
            throw new CorpusException(
                    where + ": not readable JSON (" + CorpusException.firstLine(e) + "); prepare the dataset again", e);
        }
        if (root == null || !DatasetManifest.FORMAT.equals(root.path("format").asText())) {
            throw new CorpusException(
                    where + ": not a Pacer dataset manifest (no \"format\": \"" + DatasetManifest.FORMAT + "\")");
        }
        int formatVersion = root.path("format_version").asInt();
        if (formatVersion != DatasetManifest.VERSION && formatVersion != DatasetManifest.VERSIONED) {
            throw new CorpusException(where + ": format version " + root.path("format_version")
                    + ", this Pacer reads versions " + DatasetManifest.VERSION + " and " + DatasetManifest.VERSIONED
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
            check(m, where);
            return m;
        } catch (CorpusException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CorpusException(where + ": malformed manifest (" + CorpusException.firstLine(e) + ")", e);
        }
    }

    private static void check(DatasetManifest m, String where) {
        if (m.seqLen() < 1
                || m.tokenizer().vocabSize() < 2
                || m.tokenizer().vocabSize() > 1 << 16
                || m.settings().shards() < 1) {
            throw new CorpusException(where + ": implausible seq_len " + m.seqLen() + ", vocab_size "
                    + m.tokenizer().vocabSize() + " or shards " + m.settings().shards());
        }
        for (String split : List.of(ShardInfo.TRAIN, ShardInfo.VALIDATION)) {
            List<ShardInfo> s = m.shards(split);
            if (s.size() != m.settings().shards()) {
                throw new CorpusException(where + ": lists " + s.size() + " " + split + " shards, expected "
                        + m.settings().shards());
            }
            for (int i = 0; i < s.size(); i++) {
                if (s.get(i).index() != i
                        || s.get(i).tokens() != s.get(i).rows() * m.rowLength()
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
