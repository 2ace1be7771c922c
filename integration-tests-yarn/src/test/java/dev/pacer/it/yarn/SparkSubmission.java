package dev.pacer.it.yarn;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code spark-submit}, done the way Spark's own {@code bin/spark-submit} does it with no
 * shell script: {@code org.apache.spark.launcher.Main} prints the full command (Java 17 opens,
 * class path with HADOOP_CONF_DIR, memory), and that command is run.
 * Plain {@code SparkSubmit} on a class path of its own misses those (docs/design.md section 8).
 *
 * @param exitCode the submitting JVM's exit code: in yarn-cluster mode it waits for the application
 *     and exits non-zero when the application failed
 * @param applicationId YARN's id, or null when the application was never submitted
 * @param seconds from launch to exit, the application's whole life in yarn-cluster mode
 * @param log the client's output (stdout and stderr)
 */
record SparkSubmission(int exitCode, String applicationId, double seconds, Path log) {

    private static final Pattern APP_ID = Pattern.compile("(application_\\d+_\\d+)");

    /** Submits and waits at most {@code bound}; past it the client is killed and an exception thrown. */
    static SparkSubmission run(
            Path sparkHome, Map<String, String> env, List<String> submitArgs, Path log, Duration bound)
            throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> launcher = new ArrayList<>(List.of(
                java,
                "-cp",
                sparkHome.resolve("jars") + "/*",
                "org.apache.spark.launcher.Main",
                "org.apache.spark.deploy.SparkSubmit"));
        launcher.addAll(submitArgs);
        ProcessBuilder pb = new ProcessBuilder(launcher).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(
                    "Spark's launcher failed on " + submitArgs + ": " + new String(out, StandardCharsets.UTF_8));
        }
        // as bin/spark-class reads it: messages, then a NUL and a newline, then the command's
        // arguments, each ended by a NUL
        String printed = new String(out, StandardCharsets.UTF_8);
        int start = printed.indexOf("\0\n");
        if (start < 0) {
            throw new IllegalStateException("Spark's launcher printed no command for " + submitArgs + ": " + printed);
        }
        List<String> command = new ArrayList<>();
        for (String part : printed.substring(start + 2).split("\0")) {
            if (!part.isEmpty()) {
                command.add(part);
            }
        }

        long t0 = System.nanoTime();
        ProcessBuilder submit =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        submit.environment().putAll(env);
        Process client = submit.start();
        if (!client.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
            client.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("spark-submit did not finish within " + bound + "; its output: " + log);
        }
        double seconds = MiniHadoopCluster.seconds(t0);
        Matcher m = APP_ID.matcher(Files.readString(log, StandardCharsets.UTF_8));
        return new SparkSubmission(client.exitValue(), m.find() ? m.group(1) : null, seconds, log);
    }

    /** The last lines of the client's output, for failure messages. */
    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }
}
