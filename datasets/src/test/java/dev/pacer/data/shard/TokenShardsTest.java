package dev.pacer.data.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.data.CorpusException;
import dev.pacer.data.CorpusPartition;
import dev.pacer.data.DocumentSplit;
import dev.pacer.data.HadoopConf;
import dev.pacer.data.TokenBlock;
import dev.pacer.data.source.InputUnit;
import dev.pacer.data.source.ReadOptions;
import dev.pacer.data.source.SourceFormat;
import dev.pacer.data.source.TextUnit;
import dev.pacer.data.source.Utf8Policy;
import dev.pacer.data.tokenize.TestTokenizers;
import dev.pacer.data.tokenize.TextTokenizer;
import dev.pacer.data.tokenize.TokenizerSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shards and manifest without Spark: documents packed into shards the way the prepare job
 * does (document i to shard i mod S), read back by training partitions; round trip, re-cutting,
 * equality with on-the-fly preparation, and damaged shards.
 */
class TokenShardsTest {

    @TempDir
    Path dir;

    private final Configuration conf = new Configuration();
    private final DocumentSplit split = new DocumentSplit(0.2);

    private static List<String> documents(int n) {
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            docs.add("Document " + i + ": the house voted on the report " + "and ".repeat(i % 7)
                    + (i % 5 == 0 ? "Straße ευρωπαϊκή 議会 🙂" : "") + " at " + (1000 + i * 37) + ".");
        }
        return docs;
    }

    /** What the prepare job does, in one thread. */
    private PreparedDataset prepare(Path out, List<String> docs, TokenizerSpec spec, int shards, int seqLen)
            throws Exception {
        return TestDatasets.write(out, docs, spec, shards, seqLen, 0.2);
    }

    private static int[] stream(TokenBlock b) {
        int[] out = new int[(int) b.tokenCount()];
        for (int i = 0; i < b.sequenceCount(); i++) {
            System.arraycopy(b.sequence(i), 0, out, i * b.sequenceLength(), b.sequenceLength());
        }
        return out;
    }

    @Test
    void bpeShardsDecodeBackToTheDocuments() throws Exception {
        Path tok = dir.resolve("tokenizer.json");
        Files.write(tok, TestTokenizers.bytePairEncoding());
        TokenizerSpec spec = TokenizerSpec.resolve(tok.toString(), "", conf);
        List<String> docs = documents(40);
        PreparedDataset ds = prepare(dir.resolve("ds"), docs, spec, 2, 16);
        DatasetManifest m = ds.manifest();
        assertEquals(spec.vocabSize(), m.tokenizer().vocabSize());
        assertEquals(spec.sha256(), m.tokenizer().sha256());
        assertEquals(4, m.shards().size());
        assertTrue(Files.exists(dir.resolve("ds/train/shard-00001-of-00002.arrow")));
        try (var files = Files.list(dir.resolve("ds/train"))) {
            assertEquals(2, files.count(), "no temporary files left behind");
        }
        TextTokenizer t = spec.open();
        for (int p = 0; p < 2; p++) {
            CorpusPartition part = ds.loadPartition(p, 2, 17, new HadoopConf(conf));
            for (boolean val : new boolean[] {false, true}) {
                TokenBlock block = val ? part.validation() : part.train();
                StringBuilder want = new StringBuilder();
                for (int i = p; i < docs.size(); i += 2) {
                    if (split.isValidation(docs.get(i)) == val) {
                        want.append(docs.get(i)).append("<|endoftext|>");
                    }
                }
                // decode up to the last end-of-document token: the tail that filled no row is dropped
                int[] ids = stream(block);
                int last = ids.length - 1;
                while (last >= 0 && ids[last] != spec.endOfDocument()) {
                    last--;
                }
                String decoded =
                        t.decode(java.util.Arrays.copyOf(ids, last + 1)).replace("<|endoftext|>", "\u0000");
                String expected = want.toString().replace("<|endoftext|>", "\u0000");
                assertTrue(decoded.length() > 0 && expected.startsWith(decoded), "partition " + p + " val " + val);
                assertTrue(block.droppedTailTokens() < 17);
                assertEquals(expected.chars().filter(c -> c == 0).count(), block.documents());
            }
        }
    }

    @Test
    void byteShardsEqualOnTheFlyPreparationAndReCutToOtherLengths() throws Exception {
        Path corpus = dir.resolve("corpus.txt");
        List<String> docs = documents(60);
        Files.write(corpus, docs);
        TokenizerSpec spec = TokenizerSpec.byteLevel();
        PreparedDataset ds = prepare(dir.resolve("bytes"), docs, spec, 3, 32);
        InputUnit unit = new InputUnit(corpus.toString(), SourceFormat.TEXT, Files.size(corpus), corpus.toString());
        ReadOptions read = new ReadOptions(TextUnit.LINE, "text", Utf8Policy.REPLACE, 1);
        for (int p = 0; p < 3; p++) {
            CorpusPartition shards = ds.loadPartition(p, 3, 33, new HadoopConf(conf));
            CorpusPartition fly = CorpusPartition.prepare(unit, read, conf, spec, p, 3, 33, split, 0, false);
            assertArrayEquals(stream(fly.train()), stream(shards.train()));
            assertArrayEquals(stream(fly.validation()), stream(shards.validation()));
            assertEquals(fly.train().documents(), shards.train().documents());
            assertEquals(fly.train().droppedTailTokens(), shards.train().droppedTailTokens());
        }
        // one partition over all three shards, re-cut from rows of 33 into sequences of 10
        CorpusPartition all = ds.loadPartition(0, 1, 10, new HadoopConf(conf));
        long rowTokens = ds.manifest().totals(ShardInfo.TRAIN)[1];
        assertEquals(rowTokens / 10, all.train().sequenceCount());
        assertEquals(
                rowTokens % 10 + ds.manifest().totals(ShardInfo.TRAIN)[3],
                all.train().droppedTailTokens());
        assertArrayEquals(
                new long[] {ds.manifest().totals(ShardInfo.TRAIN)[2]},
                ds.sequencesPerPartition(ShardInfo.TRAIN, 1, 33));
    }

    @Test
    void damagedShardsAndManifestsAreNamed() throws Exception {
        PreparedDataset ds = prepare(dir.resolve("d"), documents(30), TokenizerSpec.byteLevel(), 2, 16);
        Path shard = dir.resolve("d/train/shard-00000-of-00002.arrow");
        byte[] whole = Files.readAllBytes(shard);
        byte[] flipped = whole.clone();
        flipped[whole.length / 2] ^= 0x40;
        Files.write(shard, flipped);
        String m = assertThrows(CorpusException.class, () -> ds.loadPartition(0, 2, 17, new HadoopConf(conf)))
                .getMessage();
        assertTrue(m.contains("shard-00000-of-00002.arrow") && m.contains("SHA-256"), m);
        Files.write(shard, java.util.Arrays.copyOf(whole, whole.length - 30));
        m = assertThrows(CorpusException.class, () -> ds.loadPartition(0, 2, 17, new HadoopConf(conf)))
                .getMessage();
        assertTrue(m.contains("shard-00000-of-00002.arrow") && m.contains("truncated"), m);
        Files.delete(shard);
        m = assertThrows(CorpusException.class, () -> ds.loadPartition(0, 2, 17, new HadoopConf(conf)))
                .getMessage();
        assertTrue(m.contains("shard-00000-of-00002.arrow") && m.contains("missing"), m);

        Path manifest = dir.resolve("d/manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"shards\" : 2", "\"shards\" : 3"));
        m = assertThrows(
                        CorpusException.class,
                        () -> PreparedDataset.open(dir.resolve("d").toString(), conf))
                .getMessage();
        assertTrue(m.contains("manifest.json") && m.contains("shards"), m);
        Files.writeString(manifest, "{\"format\": \"pacer-token-dataset\", \"format_version\": 1}");
        m = assertThrows(
                        CorpusException.class,
                        () -> PreparedDataset.open(dir.resolve("d").toString(), conf))
                .getMessage();
        assertTrue(m.contains("manifest.json") && m.contains("missing field"), m);
        Files.delete(manifest);
        m = assertThrows(
                        CorpusException.class,
                        () -> PreparedDataset.open(dir.resolve("d").toString(), conf))
                .getMessage();
        assertTrue(m.contains("no manifest.json"), m);
        m = assertThrows(
                        CorpusException.class,
                        () -> PreparedDataset.open(dir.resolve("nope").toString(), conf))
                .getMessage();
        assertTrue(m.contains("nope") && m.contains("no such path"), m);
    }

    @Test
    void shardFileIsAnArrowFileOfFixedSizeUint16Rows() throws Exception {
        PreparedDataset ds = prepare(dir.resolve("a"), documents(12), TokenizerSpec.byteLevel(), 1, 8);
        byte[] bytes = Files.readAllBytes(dir.resolve("a/train/shard-00000-of-00001.arrow"));
        assertEquals("ARROW1", new String(bytes, 0, 6, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals("ARROW1", new String(bytes, bytes.length - 6, 6, java.nio.charset.StandardCharsets.US_ASCII));
        try (var alloc = new org.apache.arrow.memory.RootAllocator();
                var reader = new org.apache.arrow.vector.ipc.ArrowFileReader(
                        new org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel(bytes), alloc)) {
            var schema = reader.getVectorSchemaRoot().getSchema();
            assertEquals(
                    "FixedSizeList(9)<token: Int(16, false) not null> not null",
                    schema.getFields().get(0).getType() + "<"
                            + schema.getFields().get(0).getChildren().get(0) + "> not null");
            assertEquals("train", schema.getCustomMetadata().get("pacer.split"));
            long rows = 0;
            for (var block : reader.getRecordBlocks()) {
                reader.loadRecordBatch(block);
                rows += reader.getVectorSchemaRoot().getRowCount();
            }
            assertEquals(ds.manifest().shards(ShardInfo.TRAIN).get(0).rows(), rows);
        }
    }
}
