package dev.pacer.it.behaviour;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pacer.checkpoint.NamedTensor;
import dev.pacer.run.CheckpointTensors;
import dev.pacer.run.MetricsListener;
import dev.pacer.run.RunStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;

/**
 * What must repeat exactly in a run directory, as three text files: the metric rows without the
 * wall-clock fields, the events without times and with the run directory's path replaced by
 * {@code RUN}, and every committed checkpoint: state.json without its write time, and a SHA-256 of
 * each kind's tensors (weights, optimizer state, snapshot) whatever the file layout.
 */
public record RunFingerprint(List<String> rows, List<String> events, List<String> checkpoints) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Fields that measure time, not the run, and the settings digest (a hash of every setting,
     * which any new setting changes without changing what the run computes).
     */
    private static final Set<String> CLOCK_FIELDS =
            Set.of("time", "written_at", "probe_ms", "overhead", "config_digest");

    public static final List<String> FILES = List.of("rows.jsonl", "events.jsonl", "checkpoints.txt");

    public static RunFingerprint of(Path run) throws IOException {
        String root = run.toAbsolutePath().toString();
        List<String> rows = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            ObjectNode row = (ObjectNode) JSON.readTree(line);
            row.remove(MetricsListener.TIMING_FIELDS);
            rows.add(JSON.writeValueAsString(row));
        }
        List<String> events = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("events.jsonl"))) {
            events.add(JSON.writeValueAsString(normalise(JSON.readTree(line), root)));
        }
        List<String> checkpoints = new ArrayList<>();
        List<Path> dirs;
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            dirs = s.filter(d -> Files.exists(d.resolve("COMMITTED"))).sorted().toList();
        }
        RunStorage storage = new RunStorage(run.toString(), new Configuration());
        for (Path d : dirs) {
            String name = d.getFileName().toString();
            checkpoints.add(name + "/state.json "
                    + JSON.writeValueAsString(
                            normalise(JSON.readTree(d.resolve("state.json").toFile()), root)));
            org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(d.toUri());
            for (String kind :
                    List.of(CheckpointTensors.MODEL, CheckpointTensors.OPTIMIZER, CheckpointTensors.SNAPSHOT)) {
                if (CheckpointTensors.has(storage, dir, kind)) {
                    checkpoints.add(name + "/" + kind + " "
                            + contentHash(CheckpointTensors.read(storage, dir, kind, n -> true)));
                }
            }
        }
        return new RunFingerprint(rows, events, checkpoints);
    }

    public static RunFingerprint read(Path dir) throws IOException {
        return new RunFingerprint(
                Files.readAllLines(dir.resolve(FILES.get(0))),
                Files.readAllLines(dir.resolve(FILES.get(1))),
                Files.readAllLines(dir.resolve(FILES.get(2))));
    }

    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(FILES.get(0)), rows);
        Files.write(dir.resolve(FILES.get(1)), events);
        Files.write(dir.resolve(FILES.get(2)), checkpoints);
    }

    private static JsonNode normalise(JsonNode node, String root) {
        if (node instanceof ObjectNode o) {
            o.remove(CLOCK_FIELDS);
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
            it.forEachRemaining(entries::add);
            for (Map.Entry<String, JsonNode> e : entries) {
                o.set(e.getKey(), normalise(e.getValue(), root));
            }
            return o;
        }
        if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                a.set(i, normalise(a.get(i), root));
            }
            return a;
        }
        if (node.isTextual() && node.asText().contains(root)) {
            String t = node.asText().replace("file:" + root, "RUN").replace(root, "RUN");
            return TextNode.valueOf(t);
        }
        return node;
    }

    /**
     * SHA-256 of the tensors (name, shape, float32 values) in name order: the same whether they are
     * in one file or in parts written by shard owners.
     */
    private static String contentHash(Map<String, NamedTensor> tensors) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (NamedTensor t : new java.util.TreeMap<>(tensors).values()) {
                md.update(t.name().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update(java.util.Arrays.toString(t.shape()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(t.data().length * Float.BYTES)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(t.data());
                md.update(b);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
