package dev.pacer.data.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.data.CorpusException;
import dev.pacer.data.CorpusPartition;
import dev.pacer.data.HadoopConf;
import dev.pacer.data.tokenize.TokenizerSpec;
import dev.pacer.fuzz.Fuzz;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random and mutated manifest.json files next to a prepared dataset's real shards: each is
 * refused with a one-line {@link CorpusException} when the dataset is opened or its partitions
 * are loaded (every shard is checked against the manifest), or the dataset loads whole.
 */
class ManifestFuzzTest {

    private static final int CASES = 300;

    @TempDir
    Path dir;

    @Test
    void everyDamagedManifestIsRefusedInOneLineOrTheDatasetLoads() throws IOException {
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            docs.add("document " + i + " of the dataset, caf\u00e9");
        }
        Path data = Files.createDirectories(dir.resolve("data"));
        TestDatasets.write(data, docs, TokenizerSpec.byteLevel(), 2, 8, 0.1);
        Path manifest = data.resolve(DatasetManifest.FILE);
        HadoopConf conf = new HadoopConf(new Configuration());
        Fuzz.Summary s = Fuzz.run(
                "manifest.json",
                300,
                CASES,
                Fuzz.mix(List.of(Files.readAllBytes(manifest)), true),
                in -> {
                    Files.write(manifest, in);
                    PreparedDataset ds = PreparedDataset.open(data.toString(), conf.get());
                    int rowLength = ds.manifest().rowLength();
                    for (int p = 0; p < 2; p++) {
                        CorpusPartition part = ds.loadPartition(p, 2, rowLength, conf);
                        assertTrue(part.train().tokenCount() >= 0);
                    }
                    return 0;
                },
                CorpusException.class);
        assertEquals(List.of(), s.crashes(), s.line());
        assertTrue(s.refused() > CASES / 2 && s.read() > 0, s.line());
    }
}
