package dev.pacer.data.shard;

import dev.pacer.data.DocumentSplit;
import dev.pacer.data.source.SourceCounts;
import dev.pacer.data.tokenize.TokenizerSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/** Prepared datasets written without Spark, the way the prepare job lays them out. */
public final class TestDatasets {

    private TestDatasets() {}

    /** Document i goes to shard i mod {@code shards}; the tokenizer.json copied; the manifest written last. */
    public static PreparedDataset write(
            Path out, List<String> docs, TokenizerSpec spec, int shards, int seqLen, double validationFraction)
            throws IOException {
        var manifest = shards(out, docs, spec, shards, seqLen, validationFraction);
        if (!spec.isByte()) {
            Files.write(out.resolve(PreparedDataset.TOKENIZER_FILE), spec.jsonBytes());
        }
        Files.write(out.resolve(DatasetManifest.FILE), manifest.toJson());
        return PreparedDataset.open(out.toString(), new Configuration());
    }

    /** Adds {@code docs} to {@code dataset} as its next version, packed as version 1 was. */
    public static PreparedDataset append(PreparedDataset dataset, List<String> docs, TokenizerSpec spec)
            throws IOException {
        DatasetManifest first = dataset.manifest();
        Path root = Path.of(java.net.URI.create(dataset.root()));
        Path dir = root.resolve(DatasetVersion.directoryName(dataset.versionsAvailable() + 1));
        Files.createDirectories(dir);
        var manifest = shards(
                dir,
                docs,
                spec,
                first.shardCount(),
                first.seqLen(),
                first.settings().validationFraction());
        ManifestFiles.commitVersion(dataset, manifest, new Configuration());
        return PreparedDataset.open(root.toString(), new Configuration());
    }

    private static DatasetManifest shards(
            Path out, List<String> docs, TokenizerSpec spec, int shards, int seqLen, double validationFraction)
            throws IOException {
        Configuration conf = new Configuration();
        DocumentSplit split = new DocumentSplit(validationFraction);
        List<ShardInfo> infos = new ArrayList<>();
        List<ShardInfo> validation = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            try (ShardBuilder b = new ShardBuilder(out.toString(), s, shards, spec, split, seqLen + 1, conf, "t0")) {
                for (int i = s; i < docs.size(); i += shards) {
                    b.add(docs.get(i));
                }
                ShardInfo[] two = b.finish();
                infos.add(two[0]);
                validation.add(two[1]);
            }
        }
        infos.addAll(validation);
        SourceCounts counts = new SourceCounts();
        docs.forEach(d -> counts.document());
        var settings = new DatasetManifest.Settings(
                "text", "line", "text", "replace", validationFraction, false, 0, 0.01, shards);
        return new DatasetManifest(
                "2026-01-01T00:00:00Z",
                List.of("test"),
                List.of(),
                settings,
                spec.info(),
                seqLen,
                counts,
                infos,
                DatasetManifest.configDigest(List.of("test"), settings, spec.info(), seqLen),
                List.of());
    }
}
