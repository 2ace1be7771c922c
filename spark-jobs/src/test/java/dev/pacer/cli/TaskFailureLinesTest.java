package dev.pacer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures inside Spark tasks, end to end through {@link PacerCli} with stdout and stderr
 * captured: one "pacer:" line naming the file, no stack frame and no stage-failure text on the
 * console, the trace in the log file the line names; {@code --verbose} shows the trace.
 * (The test log4j configuration's console appender follows System.err, so the capture sees
 * what Spark and Pacer log, as a terminal would.)
 */
class TaskFailureLinesTest {

    private static final Pattern TRACE_FILE = Pattern.compile("full trace in (\\S+)\\)$");

    @TempDir
    Path dir;

    private Path logs;
    private String previousLogDir;

    private record Console(int code, List<String> out, List<String> err) {

        /** The lines Pacer itself printed (not log lines). */
        List<String> pacerLines() {
            return Stream.concat(out.stream(), err.stream())
                    .filter(l -> l.startsWith("pacer:"))
                    .toList();
        }

        String all() {
            return String.join("\n", out) + "\n" + String.join("\n", err);
        }
    }

    @BeforeEach
    void logToTempDir() {
        logs = dir.resolve("logs");
        previousLogDir = System.getProperty(CommandLog.DIR_PROPERTY);
        System.setProperty(CommandLog.DIR_PROPERTY, logs.toString());
    }

    @AfterEach
    void restore() {
        if (previousLogDir == null) {
            System.clearProperty(CommandLog.DIR_PROPERTY);
        } else {
            System.setProperty(CommandLog.DIR_PROPERTY, previousLogDir);
        }
    }

    private static List<String> sparkArgs(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(
                "--master",
                "local[2]",
                "--set",
                "pacer.spark.conf.spark.ui.enabled=false",
                "--set",
                "pacer.spark.conf.spark.driver.host=127.0.0.1",
                "--set",
                "pacer.spark.conf.spark.driver.bindAddress=127.0.0.1"));
        return all;
    }

    private static Console run(List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            code = PacerCli.run(args.toArray(String[]::new));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        Console c = new Console(
                code,
                out.toString(StandardCharsets.UTF_8).lines().toList(),
                err.toString(StandardCharsets.UTF_8).lines().toList());
        // shown in the test's output file, for whoever reads it
        stderr.println("--- pacer " + String.join(" ", args) + " -> " + code + "\n" + c.all());
        return c;
    }

    /** The one refusal line: exit 1, names {@code file}, no Spark text; returns the log file it names. */
    private static Path assertOneCleanLine(Console c, String file, String... fragments) throws IOException {
        assertEquals(PacerCli.FAILURE, c.code(), c.all());
        List<String> lines = c.pacerLines();
        assertEquals(1, lines.size(), c.all());
        String line = lines.get(0);
        assertTrue(line.startsWith("pacer: bad input: ") && line.contains(file), line);
        for (String f : fragments) {
            assertTrue(line.contains(f), "'" + f + "' not in: " + line);
        }
        assertFalse(c.all().contains("\tat "), "a stack frame on the console:\n" + c.all());
        assertFalse(c.all().contains("Job aborted"), c.all());
        assertFalse(c.all().contains(" ERROR "), "an ERROR log line on the console:\n" + c.all());
        Matcher m = TRACE_FILE.matcher(line);
        assertTrue(m.find(), line);
        Path log = Path.of(m.group(1));
        assertTrue(log.startsWith(CommandLog.directory().toAbsolutePath()), log.toString());
        String trace = Files.readString(log);
        assertTrue(trace.contains("\tat ") && trace.contains(file), trace);
        return log;
    }

    /** {@code pacer prepare} of a gzip file cut to a third of its length. */
    private Console prepareTruncatedGzip(String... extra) throws IOException {
        List<String> args = sparkArgs(
                "prepare",
                "--input",
                truncatedGzip().toString(),
                "--output",
                dir.resolve("o").toString());
        args.addAll(List.of(extra));
        return run(args);
    }

    private Path truncatedGzip() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream z = new GZIPOutputStream(gz)) {
            for (int i = 0; i < 20_000; i++) {
                z.write(("line number " + i + " of a compressed corpus\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        byte[] whole = gz.toByteArray();
        Path p = dir.resolve("cut.txt.gz");
        Files.write(p, Arrays.copyOf(whole, whole.length / 3));
        return p;
    }

    @Test
    void aTruncatedGzipIsOneLineAndTheTraceIsInTheLogFile() throws IOException {
        Console c = prepareTruncatedGzip();
        Path log = assertOneCleanLine(c, "cut.txt.gz", "truncated or corrupt");
        // Spark's own report of the failed task went to the file, not the console
        assertTrue(Files.readString(log).contains("Exception in task"), log.toString());
    }

    @Test
    void verboseShowsTheTraceOnTheConsole() throws IOException {
        Console c = prepareTruncatedGzip("--verbose");
        assertEquals(PacerCli.FAILURE, c.code());
        assertTrue(c.all().contains("\tat dev.pacer.data.source.DocumentReader"), c.all());
        assertEquals(1, c.pacerLines().size(), c.all());
    }

    @Test
    void corruptAndTruncatedParquetFilesAreOneLineEach() throws IOException {
        Path good = dir.resolve("good");
        SparkSession spark = SparkSession.builder()
                .master("local[1]")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
        try {
            StructType schema = new StructType().add("id", DataTypes.LongType).add("text", DataTypes.StringType);
            List<org.apache.spark.sql.Row> rows = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                rows.add(RowFactory.create((long) i, "parquet document number " + i));
            }
            spark.createDataFrame(rows, schema).coalesce(1).write().parquet(good.toString());
        } finally {
            spark.stop();
        }
        Path file;
        try (Stream<Path> files = Files.list(good)) {
            file = files.filter(f -> f.toString().endsWith(".parquet"))
                    .findFirst()
                    .orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(file);
        Path corrupt = dir.resolve("z-corrupt.parquet");
        byte[] bad = bytes.clone();
        for (int i = 4; i < bad.length / 2; i++) {
            bad[i] = (byte) 0x7F;
        }
        Files.write(corrupt, bad);
        // the good file first: Spark takes the schema from it and fails in the reading task
        Console c = run(sparkArgs(
                "prepare",
                "--input",
                file.toString(),
                "--input",
                corrupt.toString(),
                "--output",
                dir.resolve("o1").toString()));
        assertOneCleanLine(c, "z-corrupt.parquet", "not a readable Parquet file");
        Path truncated = dir.resolve("cut.parquet");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        // the footer is read by the schema job
        c = run(sparkArgs(
                "prepare",
                "--input",
                truncated.toString(),
                "--output",
                dir.resolve("o2").toString()));
        assertOneCleanLine(c, "cut.parquet", "not a readable Parquet file");
    }

    @Test
    void aCorruptTokenShardStopsPretrainWithOneLine() throws IOException {
        Path corpus = dir.resolve("corpus.txt");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            text.append("document number ").append(i).append(" has a few words in it\n");
        }
        Files.writeString(corpus, text);
        Path data = dir.resolve("data");
        Console prepared = run(sparkArgs(
                "prepare",
                "--input",
                corpus.toString(),
                "--output",
                data.toString(),
                "--set",
                "pacer.data.shards=2",
                "--set",
                "pacer.train.seq-len=32"));
        assertEquals(0, prepared.code(), prepared.all());
        Path shard = data.resolve("train/shard-00001-of-00002.arrow");
        byte[] bytes = Files.readAllBytes(shard);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(shard, bytes);
        Console c = run(sparkArgs(
                "pretrain",
                "--run-dir",
                dir.resolve("run").toString(),
                "--max-steps",
                "2",
                "--set",
                "pacer.data.path=" + data,
                "--set",
                "pacer.model.preset=tiny",
                "--set",
                "pacer.train.seq-len=32",
                "--set",
                "pacer.train.global-batch=4",
                "--set",
                "pacer.train.micro-batch=2"));
        assertOneCleanLine(c, "shard-00001-of-00002.arrow", "SHA-256");
    }
}
