package dev.pacer.data.shard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.data.source.InputUnit;
import dev.pacer.data.source.SkipReason;
import dev.pacer.data.source.SourceCounts;
import java.io.IOException;

/**
 * Writes {@code manifest.json}: besides what {@link ManifestParser} reads back, it spells out
 * derived totals (bytes per input, counts per split and for the whole dataset) so that a person
 * reading the file sees the dataset without adding up shards.
 */
final class ManifestWriter {

    private ManifestWriter() {}

    static byte[] toJson(DatasetManifest m) {
        ObjectNode root = DatasetManifest.JSON.createObjectNode();
        root.put("format", DatasetManifest.FORMAT)
                .put("format_version", m.versions().size() > 1 ? DatasetManifest.VERSIONED : DatasetManifest.VERSION)
                .put("created", m.created())
                .put("config_digest", m.configDigest());
        ArrayNode in = root.putArray("sources");
        for (String i : m.inputs()) {
            ObjectNode o = in.addObject().put("input", i);
            long n = 0;
            long bytes = 0;
            for (InputUnit u : m.files()) {
                if (u.origin().equals(i)) {
                    n++;
                    bytes += Math.max(0, u.length());
                }
            }
            o.put("files", n).put("bytes", bytes);
        }
        ArrayNode fl = root.putArray("files");
        for (InputUnit u : m.files()) {
            fl.addObject().put("path", u.path()).put("format", u.format().id()).put("bytes", u.length());
        }
        ObjectNode st = root.putObject("settings");
        st.put("format", m.settings().format())
                .put("text_unit", m.settings().textUnit())
                .put("text_field", m.settings().textField())
                .put("invalid_utf8", m.settings().invalidUtf8())
                .put("validation_fraction", m.settings().validationFraction())
                .put("dedup", m.settings().dedup())
                .put("max_documents", m.settings().maxDocuments())
                .put("max_bad_fraction", m.settings().maxBadFraction())
                .put("shards", m.settings().shards());
        m.tokenizer().writeTo(root.putObject("tokenizer"));
        root.put("seq_len", m.seqLen()).put("row_tokens", m.rowLength()).put("token_type", "uint16");
        ObjectNode c = root.putObject("counts");
        c.put("records", m.counts().records()).put("documents_read", m.counts().documents());
        long[] tr = m.totals(ShardInfo.TRAIN);
        long[] va = m.totals(ShardInfo.VALIDATION);
        c.put("documents", tr[0] + va[0])
                .put("tokens", tr[1] + tr[3] + va[1] + va[3])
                .put("sequences", tr[2] + va[2])
                .put("dropped_tail_tokens", tr[3] + va[3])
                .put("utf8_bytes", tr[4] + va[4]);
        split(c.putObject("train"), tr);
        split(c.putObject("validation"), va);
        ObjectNode sk = root.putObject("skipped");
        for (SkipReason r : SkipReason.values()) {
            sk.put(r.key(), m.counts().skipped(r));
        }
        root.put("invalid_utf8_replaced", m.counts().utf8Replaced());
        SourceCounts.ByteCounts text = m.counts().text();
        root.putObject("text_bytes")
                .put("bytes", text.bytes())
                .put("invalid_utf8_records", m.counts().invalidUtf8Records())
                .put("invalid_utf8_sequences", text.invalidUtf8Sequences())
                .put("invalid_utf8_bytes", text.invalidUtf8Bytes())
                .put("nul_bytes", text.nulBytes())
                .put("non_text_fraction", text.nonTextFraction());
        root.put("bad_fraction", m.counts().badFraction());
        ArrayNode ex = root.putArray("bad_record_examples");
        for (SourceCounts.Example e : m.counts().examples()) {
            ex.addObject().put("reason", e.reason()).put("where", e.where()).put("detail", e.detail());
        }
        ArrayNode sh = root.putArray("shards");
        for (ShardInfo s : m.shards()) {
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
        if (!m.versions().isEmpty()) { // a version's own manifest lists none: the root's lists them all
            ArrayNode vs = root.putArray("versions");
            m.versions().forEach(v -> v.write(vs.addObject()));
        }
        try {
            return DatasetManifest.JSON.writeValueAsBytes(root);
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
}
