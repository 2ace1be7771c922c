package dev.pacer.data.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.data.CorpusException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Turns the inputs a user gave (files, directories, globs on any Hadoop file system) into the
 * ordered list of files to read, on the driver before any job: a missing path, a glob matching
 * nothing, or a Hugging Face {@code state.json} naming a missing file fails here, named. Inputs
 * keep the order given; the files under one input are read in path order (a Hugging Face
 * directory: in its {@code state.json} order).
 */
public final class InputResolver {

    private static final ObjectMapper JSON = new ObjectMapper();

    private InputResolver() {}

    public static List<InputUnit> resolve(List<String> inputs, SourceFormat requested, Configuration conf) {
        if (inputs.isEmpty()) {
            return List.of(InputUnit.bundled());
        }
        Set<InputUnit> units = new LinkedHashSet<>();
        for (String input : inputs) {
            try {
                units.addAll(resolveOne(input.trim(), requested, conf));
            } catch (IOException e) {
                throw new CorpusException("input '" + input + "': " + CorpusException.firstLine(e), e);
            }
        }
        return List.copyOf(units);
    }

    private static List<InputUnit> resolveOne(String input, SourceFormat requested, Configuration conf)
            throws IOException {
        if (input.isEmpty()) {
            throw new CorpusException("an input is empty: give a file, directory or glob (file://, hdfs://, s3a://)");
        }
        Path path = new Path(input);
        FileSystem fs = path.getFileSystem(conf);
        List<FileStatus> matched = new ArrayList<>();
        if (isGlob(input)) {
            FileStatus[] found = fs.globStatus(path);
            if (found == null || found.length == 0) {
                throw new CorpusException("input '" + input + "': the pattern matches no file");
            }
            matched.addAll(Arrays.asList(found));
        } else {
            if (!fs.exists(path)) {
                throw new CorpusException("input '" + input + "': no such file or directory");
            }
            matched.add(fs.getFileStatus(path));
        }
        matched.sort(Comparator.comparing(s -> s.getPath().toString()));
        List<InputUnit> units = new ArrayList<>();
        for (FileStatus st : matched) {
            if (st.isDirectory()) {
                units.addAll(directory(fs, st.getPath(), input, requested));
            } else {
                SourceFormat f = requested == SourceFormat.AUTO
                        ? SourceFormat.byName(st.getPath().getName())
                        : requested;
                units.add(new InputUnit(st.getPath().toString(), f, st.getLen(), input));
            }
        }
        if (units.isEmpty()) {
            throw new CorpusException("input '" + input + "': holds no file to read");
        }
        return units;
    }

    private static List<InputUnit> directory(FileSystem fs, Path dir, String input, SourceFormat requested)
            throws IOException {
        boolean hfAllowed = requested == SourceFormat.AUTO || requested == SourceFormat.HUGGINGFACE;
        if (hfAllowed && fs.exists(new Path(dir, "state.json"))) {
            return huggingFace(fs, dir, input);
        }
        if (hfAllowed && fs.exists(new Path(dir, "dataset_dict.json"))) {
            throw new CorpusException("input '" + input + "': " + dir + " is a Hugging Face DatasetDict"
                    + " (dataset_dict.json); give one split's directory, e.g. " + new Path(dir, "train"));
        }
        if (requested == SourceFormat.HUGGINGFACE) {
            throw new CorpusException("input '" + input + "': " + dir + " has no state.json; a Hugging Face"
                    + " dataset directory is what datasets' save_to_disk writes");
        }
        List<LocatedFileStatus> files = new ArrayList<>();
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
        while (it.hasNext()) {
            LocatedFileStatus st = it.next();
            if (!hidden(dir, st.getPath())) {
                files.add(st);
            }
        }
        files.sort(Comparator.comparing(s -> s.getPath().toString()));
        List<InputUnit> units = new ArrayList<>();
        for (LocatedFileStatus st : files) {
            SourceFormat f = requested == SourceFormat.AUTO
                    ? SourceFormat.byName(st.getPath().getName())
                    : requested;
            units.add(new InputUnit(st.getPath().toString(), f, st.getLen(), input));
        }
        return units;
    }

    /** Files and folders starting with '.' or '_' (Spark's _SUCCESS, .crc files) are not data. */
    private static boolean hidden(Path root, Path p) {
        for (Path q = p; q != null && !q.equals(root); q = q.getParent()) {
            String n = q.getName();
            if (n.startsWith(".") || n.startsWith("_")) {
                return true;
            }
        }
        return false;
    }

    /** The data files a {@code save_to_disk} directory's {@code state.json} lists, in order. */
    private static List<InputUnit> huggingFace(FileSystem fs, Path dir, String input) throws IOException {
        Path state = new Path(dir, "state.json");
        JsonNode root;
        try (InputStream in = fs.open(state)) {
            root = JSON.readTree(in);
        } catch (IOException e) {
            throw new CorpusException(
                    state + ": not readable JSON (" + CorpusException.firstLine(e)
                            + "); a save_to_disk directory's state.json lists its data files",
                    e);
        }
        JsonNode files = root == null ? null : root.get("_data_files");
        if (files == null || !files.isArray() || files.isEmpty()) {
            throw new CorpusException(state + ": no '_data_files' list; a save_to_disk directory's state.json"
                    + " lists its data-XXXXX-of-YYYYY.arrow files there");
        }
        List<InputUnit> units = new ArrayList<>();
        for (JsonNode f : files) {
            String name = f.path("filename").asText("");
            Path p = name.isEmpty() || name.contains("/") || name.contains("..") ? null : child(dir, name);
            if (p == null) {
                throw new CorpusException(state + ": bad _data_files entry " + f
                        + "; expected {\"filename\": \"data-00000-of-00001.arrow\"}");
            }
            if (!fs.exists(p)) {
                throw new CorpusException(state + " names data file '" + name + "', which is missing from " + dir
                        + "; copy the whole directory again");
            }
            units.add(new InputUnit(
                    p.toString(), SourceFormat.HUGGINGFACE, fs.getFileStatus(p).getLen(), input));
        }
        return units;
    }

    /** {@code dir/name}, or null when {@code name} is no file name (Hadoop rejects "a:b" and the like). */
    private static Path child(Path dir, String name) {
        try {
            return new Path(dir, name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static boolean isGlob(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
    }
}
