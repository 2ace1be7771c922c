package dev.pacer.data.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.data.CorpusException;
import dev.pacer.data.CorpusPartition;
import dev.pacer.data.HadoopConf;
import dev.pacer.data.TokenBlock;
import dev.pacer.data.tokenize.TokenizerSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dataset that grows: versions appended next to the first, listed with their counts in the
 * root manifest, each partition's stream the versions' shards one after the other.
 */
class DatasetVersionsTest {

    @TempDir
    Path dir;

    private final HadoopConf conf = new HadoopConf(new Configuration());
    private final TokenizerSpec bytes = TokenizerSpec.byteLevel();

    private static List<String> documents(String prefix, int n) {
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            docs.add(prefix + " document " + i + " about the " + "long ".repeat(i % 5) + "session.");
        }
        return docs;
    }

    private static int[] stream(TokenBlock b) {
        int[] out = new int[(int) b.tokenCount()];
        for (int i = 0; i < b.sequenceCount(); i++) {
            System.arraycopy(b.sequence(i), 0, out, i * b.sequenceLength(), b.sequenceLength());
        }
        return out;
    }

    private static int[] concat(int[]... parts) {
        int[] out = new int[Arrays.stream(parts).mapToInt(p -> p.length).sum()];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    @Test
    void versionsAreListedWithTheirCountsAndStreamOneAfterAnother() throws Exception {
        Path root = dir.resolve("ds");
        List<String> a = documents("first", 30);
        List<String> b = documents("second", 12);
        List<String> c = documents("third", 7);
        PreparedDataset v1 = TestDatasets.write(root, a, bytes, 2, 16, 0.2);
        PreparedDataset v2 = TestDatasets.append(v1, b, bytes);
        PreparedDataset v3 = TestDatasets.append(v2, c, bytes);

        assertEquals(3, v3.versionsAvailable());
        assertEquals(3, v3.version());
        JsonNode json = new ObjectMapper().readTree(Files.readAllBytes(root.resolve(DatasetManifest.FILE)));
        assertEquals(DatasetManifest.VERSIONED, json.path("format_version").asInt());
        JsonNode versions = json.path("versions");
        assertEquals(3, versions.size());
        int[] docs = {a.size(), b.size(), c.size()};
        List<List<String>> all = List.of(a, b, c);
        for (int v = 0; v < 3; v++) {
            JsonNode e = versions.get(v);
            assertEquals(v + 1, e.path("version").asInt());
            assertEquals(v == 0 ? "" : "v0000" + (v + 1), e.path("directory").asText());
            assertEquals(docs[v], e.path("documents").asLong());
            // tokens: each document's UTF-8 bytes plus its end-of-document token
            long tokens = all.get(v).stream()
                    .mapToLong(d -> d.getBytes(StandardCharsets.UTF_8).length + 1)
                    .sum();
            assertEquals(tokens, e.path("tokens").asLong());
        }

        // each version's directory is a dataset of its own; the whole is their streams in order
        PreparedDataset own2 = PreparedDataset.open(root.resolve("v00002").toString(), new Configuration());
        PreparedDataset own3 = PreparedDataset.open(root.resolve("v00003").toString(), new Configuration());
        PreparedDataset only1 =
                PreparedDataset.open(root.toString(), new Configuration()).atVersion(1);
        for (int p = 0; p < 2; p++) {
            CorpusPartition whole = v3.loadPartition(p, 2, 17, conf);
            int[] want = concat(
                    stream(only1.loadPartition(p, 2, 17, conf).train()),
                    stream(own2.loadPartition(p, 2, 17, conf).train()),
                    stream(own3.loadPartition(p, 2, 17, conf).train()));
            assertArrayEquals(want, stream(whole.train()));
            // the validation set's first sequences stay those of version 1
            TokenBlock val1 = only1.loadPartition(p, 2, 17, conf).validation();
            assertArrayEquals(stream(val1), Arrays.copyOf(stream(whole.validation()), (int) val1.tokenCount()));
        }
        assertEquals(a.size() + b.size(), v3.atVersion(2).counts().documents());
        assertEquals(a.size() + b.size() + c.size(), v3.counts().documents());
        assertThrows(CorpusException.class, () -> v3.atVersion(4));
    }

    @Test
    void aReplacedVersionIsRefusedAndAnUnknownFormatNamed() throws Exception {
        Path root = dir.resolve("ds");
        PreparedDataset v1 = TestDatasets.write(root, documents("first", 20), bytes, 2, 16, 0.2);
        TestDatasets.append(v1, documents("second", 10), bytes);
        Path m2 = root.resolve("v00002").resolve(DatasetManifest.FILE);
        Files.writeString(
                m2, Files.readString(m2).replace("\"created\"", "\"created\" ").replace("  ", " "));
        CorpusException e =
                assertThrows(CorpusException.class, () -> PreparedDataset.open(root.toString(), new Configuration()));
        assertTrue(e.getMessage().contains("v00002") && e.getMessage().contains("SHA-256"), e.getMessage());

        Path m = root.resolve(DatasetManifest.FILE);
        Files.writeString(m, Files.readString(m).replace("\"format_version\" : 2", "\"format_version\" : 3"));
        e = assertThrows(CorpusException.class, () -> PreparedDataset.open(root.toString(), new Configuration()));
        assertTrue(e.getMessage().contains("format version 3"), e.getMessage());
    }
}
