package dev.pacer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pacer.fuzz.Fuzz;
import dev.pacer.fuzz.Mutator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Random command lines for every command: options of the command (and of others), values of
 * every kind, damaged config and checkpoint files, junk. Each ends with exit 0 (help, version)
 * or exactly one "pacer:" line on stderr with exit 2 or 1 that is not an unanticipated failure
 * ("pacer: failed: ..."), and no Spark session starts: the commands that run Spark jobs get one
 * setting that fails validation appended (a missing dataset or input, zero partitions), so every
 * check before it is exercised but no job.
 */
class CliFuzzTest {

    private static final int CASES = 200;
    private static final List<String> COMMANDS =
            List.of("prepare", "pretrain", "bench", "sweep", "report", "evaluate", "sample", "export");

    @TempDir
    Path dir;

    /** A clean refusal: the one line the command printed. */
    private static final class Refused extends Exception {
        Refused(String line) {
            super(line);
        }
    }

    private final List<String> optionNames = new ArrayList<>();
    private final List<String> values = new ArrayList<>();

    private void vocabulary() throws IOException {
        CommandLine cli = new CommandLine(new PacerCli());
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (CommandLine sub : cli.getSubcommands().values()) {
            for (OptionSpec o : sub.getCommandSpec().options()) {
                if (!o.usageHelp() && !o.versionHelp()) { // they end every command line early: added rarely below
                    names.addAll(List.of(o.names()));
                }
            }
        }
        optionNames.addAll(names);
        Path junk = Files.createDirectories(dir.resolve("junk-run"));
        Files.write(junk.resolve("metrics.jsonl"), new byte[] {'{', 0, (byte) 0xFF, '\n'});
        Path checkpoint = Files.createDirectories(junk.resolve("checkpoints/step-0000003"));
        Files.writeString(checkpoint.resolve("state.json"), "{\"model_preset\": \"tiny\"}");
        Files.write(checkpoint.resolve("model.safetensors"), new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
        Files.writeString(checkpoint.resolve("COMMITTED"), "");
        Files.write(dir.resolve("bytes.bin"), new byte[] {0, 1, 2, (byte) 0xC3});
        values.addAll(List.of(
                "",
                " ",
                "0",
                "-1",
                "3",
                "1e9",
                "NaN",
                "abc",
                "--",
                "=",
                "-",
                "--set",
                "@" + dir.resolve("no-args-file"),
                dir.resolve("missing").toString(),
                junk.toString(),
                checkpoint.toString(),
                dir.resolve("bytes.bin").toString(),
                dir.toString(),
                "bundled",
                "local[2]",
                "yarn",
                "spark://127.0.0.1:1",
                "fixed",
                "adalrs",
                "both",
                "mlp,attn",
                "\u6771\u4eac",
                "caf\uFFFD",
                "x".repeat(70)));
    }

    /** A HOCON file of random settings, byte-mutated half the time: a --conf or --peer value. */
    private String confFile(Mutator m, int n) throws IOException {
        StringBuilder hocon = new StringBuilder();
        for (String pair : SettingsFuzzTest.pairs(m)) {
            hocon.append(pair.replaceFirst("=", " = ")).append('\n');
        }
        byte[] bytes = hocon.toString().getBytes(StandardCharsets.UTF_8);
        Path f = dir.resolve("case-" + n + ".conf");
        Files.write(f, m.random().nextBoolean() ? m.mutate(bytes) : bytes);
        return f.toString();
    }

    private int caseNumber;

    private String[] commandLine(Mutator m) {
        Random r = m.random();
        List<String> args = new ArrayList<>();
        String command =
                r.nextInt(20) == 0 ? values.get(r.nextInt(values.size())) : COMMANDS.get(r.nextInt(COMMANDS.size()));
        args.add(command);
        try {
            for (int i = r.nextInt(7); i > 0; i--) {
                int kind = r.nextInt(10);
                if (kind < 5) {
                    args.add(optionNames.get(r.nextInt(optionNames.size())));
                    args.add(values.get(r.nextInt(values.size())));
                } else if (kind < 7) {
                    args.add("--set");
                    args.add(SettingsFuzzTest.pair(r));
                } else if (kind == 7) {
                    args.add(r.nextBoolean() ? "--conf" : "--peer");
                    args.add(confFile(m, caseNumber));
                } else if (kind == 8) {
                    args.add(r.nextInt(30) == 0 ? "--help" : optionNames.get(r.nextInt(optionNames.size())));
                } else {
                    args.add(values.get(r.nextInt(values.size())));
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        caseNumber++;
        // no Spark job: one validation failure after everything else is checked
        String missing = dir.resolve("no-such-dataset").toString();
        switch (command) {
            case "pretrain" -> args.addAll(List.of("--set", "pacer.data.path=" + missing));
            case "prepare" -> args.addAll(List.of("--input", missing));
            case "bench", "sweep" -> args.addAll(List.of("--set", "pacer.spark.partitions=0"));
            default -> {}
        }
        return args.toArray(String[]::new);
    }

    private static long run(String[] args) throws Exception {
        StringWriter err = new StringWriter();
        PrintStream stdout = System.out;
        int code;
        try (PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)) {
            System.setOut(quiet); // help and version text
            code = PacerCli.run(new PrintWriter(err, true), args);
        } finally {
            System.setOut(stdout);
        }
        if (!SparkSession.getDefaultSession().isEmpty()) {
            throw new AssertionError("a Spark session was started");
        }
        List<String> lines = err.toString().strip().lines().toList();
        if (code == 0 && lines.isEmpty()) {
            return 0;
        }
        boolean oneLine = lines.size() == 1 && lines.get(0).startsWith("pacer: ");
        if ((code == PacerCli.USAGE || code == PacerCli.FAILURE)
                && oneLine
                && !lines.get(0).startsWith("pacer: failed:")) {
            throw new Refused(lines.get(0));
        }
        throw new AssertionError("exit " + code + ", stderr: " + err);
    }

    @Test
    void everyRandomCommandLineEndsInOneCleanLine() throws IOException {
        vocabulary();
        Fuzz.Summary s = Fuzz.cases(
                "command line",
                61,
                CASES,
                Long.MAX_VALUE, // command lines are small; what a command allocates is not the point here
                this::commandLine,
                a -> a.length,
                CliFuzzTest::run,
                Refused.class);
        assertEquals(List.of(), s.crashes(), s.line());
        assertTrue(s.refused() > CASES / 2, s.line());
    }
}
