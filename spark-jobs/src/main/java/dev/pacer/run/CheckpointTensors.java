package dev.pacer.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.checkpoint.CheckpointFormatException;
import dev.pacer.checkpoint.NamedTensor;
import dev.pacer.checkpoint.SafeTensors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The tensor files of a checkpoint directory, in one of two layouts (Hugging Face's): one file
 * per kind ({@code model.safetensors}, {@code optimizer.safetensors}, {@code snapshot.safetensors}),
 * or, when shard owners write in parallel, parts {@code model-00001-of-00004.safetensors} with an
 * index {@code model.safetensors.index.json} that maps every tensor to its part. Readers take
 * either.
 */
public final class CheckpointTensors {

    /** Weights by GPT-2 name. */
    public static final String MODEL = "model";
    /** Optimizer state vectors per tensor, {@code <state>.<tensor>}. */
    public static final String OPTIMIZER = "optimizer";
    /** An AdaLRS snapshot: {@code weights.<tensor>} and {@code <state>.<tensor>}. */
    public static final String SNAPSHOT = "snapshot";

    private CheckpointTensors() {}

    public static String singleFile(String kind) {
        return kind + ".safetensors";
    }

    public static String partFile(String kind, int part, int parts) {
        return String.format("%s-%05d-of-%05d.safetensors", kind, part + 1, parts);
    }

    public static String indexFile(String kind) {
        return kind + ".safetensors.index.json";
    }

    /** Writes one file of tensors and syncs it; returns its size in bytes. */
    public static long write(FileSystem fs, Path file, List<NamedTensor> tensors, Map<String, String> meta)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SafeTensors.write(bytes, tensors, meta);
        try (FSDataOutputStream out = fs.create(file, true)) {
            bytes.writeTo(out);
            out.hsync();
        }
        return bytes.size();
    }

    /** Writes the index of a kind written in parts: which part holds each tensor. */
    public static void writeIndex(RunStorage storage, Path dir, String kind, Map<String, String> weightMap, long bytes)
            throws IOException {
        ObjectNode index = JsonLinesLog.row();
        index.putObject("metadata").put("total_size", bytes);
        ObjectNode map = index.putObject("weight_map");
        weightMap.forEach(map::put);
        storage.writeAll(
                new Path(dir, indexFile(kind)),
                JsonLinesLog.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(index));
    }

    /** Whether the directory holds tensors of {@code kind} (in either layout). */
    public static boolean has(RunStorage storage, Path dir, String kind) throws IOException {
        return storage.exists(new Path(dir, singleFile(kind))) || storage.exists(new Path(dir, indexFile(kind)));
    }

    /** The files of {@code kind}, each with the tensors the index says it holds (null: all of a single file). */
    private static Map<Path, Set<String>> files(RunStorage storage, Path dir, String kind) throws IOException {
        Path single = new Path(dir, singleFile(kind));
        Map<Path, Set<String>> out = new LinkedHashMap<>();
        if (storage.exists(single)) {
            out.put(single, null);
            return out;
        }
        Path indexPath = new Path(dir, indexFile(kind));
        if (!storage.exists(indexPath)) {
            throw new CheckpointFormatException(
                    single.toString(),
                    "missing (and no " + indexFile(kind)
                            + " either); delete this checkpoint directory to resume from the previous one");
        }
        JsonNode map;
        try {
            map = JsonLinesLog.JSON.readTree(storage.readAll(indexPath)).path("weight_map");
        } catch (IOException e) {
            throw new CheckpointFormatException(
                    indexPath.toString(),
                    "not readable JSON; delete this checkpoint directory to resume from the previous one");
        }
        if (!map.isObject()) {
            throw new CheckpointFormatException(
                    indexPath.toString(),
                    "has no \"weight_map\" object; delete this checkpoint directory to resume from the previous one");
        }
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            String file = e.getValue().asText();
            if (file.contains("/") || !file.endsWith(".safetensors")) {
                throw new CheckpointFormatException(
                        indexPath.toString(),
                        "maps '" + e.getKey() + "' to '" + file + "', not a .safetensors file of this directory");
            }
            out.computeIfAbsent(new Path(dir, file), f -> new LinkedHashSet<>()).add(e.getKey());
        }
        return out;
    }

    /**
     * The tensors of {@code kind} whose names {@code wanted} accepts, from whichever files hold
     * them (an owner of a few tensors reads only the parts that have some).
     */
    public static Map<String, NamedTensor> read(RunStorage storage, Path dir, String kind, Predicate<String> wanted)
            throws IOException {
        Map<String, NamedTensor> out = new LinkedHashMap<>();
        for (Map.Entry<Path, Set<String>> f : files(storage, dir, kind).entrySet()) {
            if (f.getValue() != null && f.getValue().stream().noneMatch(wanted)) {
                continue;
            }
            long size = storage.fs().getFileStatus(f.getKey()).getLen();
            try (InputStream in = storage.fs().open(f.getKey())) {
                for (NamedTensor t :
                        SafeTensors.read(in, f.getKey().toString(), size).tensors()) {
                    if (wanted.test(t.name())) {
                        out.put(t.name(), t);
                    }
                }
            }
        }
        return out;
    }

    /**
     * Checks the headers of every file of {@code kind} against the file sizes (a truncated or
     * damaged file is a {@link CheckpointFormatException}) and returns each tensor's shape, without
     * reading any tensor data.
     */
    public static Map<String, long[]> shapes(RunStorage storage, Path dir, String kind) throws IOException {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (Path f : files(storage, dir, kind).keySet()) {
            if (!storage.exists(f)) {
                throw new CheckpointFormatException(
                        f.toString(), "missing; delete this checkpoint directory to resume from the previous one");
            }
            long size = storage.fs().getFileStatus(f).getLen();
            try (InputStream in = storage.fs().open(f)) {
                out.putAll(SafeTensors.readHeader(in, f.toString(), size).shapes());
            }
        }
        return out;
    }

    /** Names of the files of {@code kind} in a directory (for listings and cleanup). */
    public static List<String> fileNames(RunStorage storage, Path dir, String kind) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path f : files(storage, dir, kind).keySet()) {
            out.add(f.getName());
        }
        return out;
    }
}
