package dev.pacer.it.behaviour;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pacer.run.MetricsListener;
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

/**
 * What must repeat exactly in a run directory, as three text files: the metric rows without the
 * wall-clock fields, the events without times and with the run directory's path replaced by
 * {@code RUN}, and every committed checkpoint's files (SHA-256 of the safetensors files, and
 * state.json without its write time).
 */
public record RunFingerprint(List<String> rows, List<String> events, List<String> checkpoints) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Event and state fields that measure time, not the run. */
    private static final Set<String> CLOCK_FIELDS = Set.of("time", "written_at", "probe_ms", "overhead");

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
        for (Path d : dirs) {
            List<Path> files;
            try (Stream<Path> s = Files.list(d)) {
                files = s.sorted().toList();
            }
            for (Path f : files) {
                String name = d.getFileName() + "/" + f.getFileName();
                if (f.getFileName().toString().equals("state.json")) {
                    checkpoints.add(name + " " + JSON.writeValueAsString(normalise(JSON.readTree(f.toFile()), root)));
                } else {
                    checkpoints.add(name + " " + sha256(Files.readAllBytes(f)));
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

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
