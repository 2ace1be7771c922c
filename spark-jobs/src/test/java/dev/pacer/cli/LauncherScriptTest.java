package dev.pacer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/pacer's argument splitting, without Spark or a build: the script is copied into a scratch
 * PACER_HOME whose build outputs are empty placeholders (so it never builds), and SPARK_HOME is
 * a folder whose bin/spark-submit prints its arguments one a line. Local mode is checked with
 * PACER_DRY_RUN=1.
 */
class LauncherScriptTest {

    @TempDir
    static Path tmp;

    static Path home;
    static Path sparkHome;
    static String jar;

    record Result(int exit, List<String> out, String err) {}

    @BeforeAll
    static void setUp() throws IOException {
        assumeTrue(new File("/bin/bash").canExecute(), "needs bash");
        home = tmp.resolve("pacer");
        Path target = Files.createDirectories(home.resolve("spark-jobs/target"));
        jar = target.resolve("pacer-spark-jobs-0.1.0-SNAPSHOT-submit.jar").toString();
        Files.writeString(Path.of(jar), "");
        Files.writeString(target.resolve("local-classpath.txt"), "/deps/a.jar:/deps/b.jar");
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path source =
                Path.of(System.getProperty("user.dir")).resolveSibling("bin").resolve("pacer");
        Files.copy(source, bin.resolve("pacer"));
        sparkHome = tmp.resolve("spark");
        Path submit = Files.createDirectories(sparkHome.resolve("bin")).resolve("spark-submit");
        Files.writeString(submit, "#!/bin/sh\necho spark-submit\nfor a in \"$@\"; do echo \"$a\"; done\n");
        Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static Result pacer(Map<String, String> env, String... args) throws Exception {
        List<String> cmd =
                new ArrayList<>(List.of("/bin/bash", home.resolve("bin/pacer").toString()));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> e = pb.environment();
        e.remove("SPARK_HOME");
        e.remove("SPARK_SUBMIT_OPTS_EXTRA");
        e.remove("PACER_DRY_RUN");
        e.remove("PACER_TARGET");
        e.putAll(env);
        File err = tmp.resolve("stderr.txt").toFile();
        pb.redirectError(err);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "bin/pacer did not finish");
        return new Result(
                p.exitValue(),
                out.isEmpty() ? List.of() : List.of(out.split("\n")),
                Files.readString(err.toPath()).trim());
    }

    private static Map<String, String> cluster() {
        return Map.of("SPARK_HOME", sparkHome.toString());
    }

    @Test
    void optionsBeforeTheCommandGoToSparkSubmitAndTheRestToPacer() throws Exception {
        Result r = pacer(
                cluster(),
                "--master",
                "yarn",
                "--deploy-mode",
                "cluster",
                "--num-executors",
                "4",
                "--conf",
                "spark.executor.memoryOverhead=2g",
                "--executor-memory=6g",
                "--verbose",
                "--name",
                "pretrain",
                "pretrain",
                "--profile",
                "yarn",
                "--max-steps",
                "10");
        assertEquals(0, r.exit(), r.err());
        List<String> a = r.out();
        assertEquals("spark-submit", a.get(0));
        int jarAt = a.indexOf(jar);
        assertTrue(jarAt > 0, "the shaded jar is passed: " + a);
        List<String> submit = a.subList(1, jarAt);
        List<String> app = a.subList(jarAt + 1, a.size());
        assertEquals(List.of("--master", "yarn"), submit.subList(0, 2));
        assertTrue(contains(submit, "--class", "dev.pacer.cli.PacerCli"), submit.toString());
        assertTrue(
                contains(
                        submit,
                        "--deploy-mode",
                        "cluster",
                        "--num-executors",
                        "4",
                        "--conf",
                        "spark.executor.memoryOverhead=2g",
                        "--executor-memory",
                        "6g",
                        "--verbose",
                        "--name",
                        "pretrain"),
                submit.toString());
        // the master reaches pretrain too, so a profile's pacer.spark.master cannot override it
        assertEquals(List.of("pretrain", "--master", "yarn", "--profile", "yarn", "--max-steps", "10"), app);
    }

    @Test
    void masterAfterTheCommandAndTheOlderEnvironmentVariableStillWork() throws Exception {
        Result r = pacer(
                Map.of(
                        "SPARK_HOME",
                        sparkHome.toString(),
                        "SPARK_SUBMIT_OPTS_EXTRA",
                        "--deploy-mode client --num-executors 2"),
                "pretrain",
                "--master",
                "yarn",
                "--profile",
                "yarn");
        assertEquals(0, r.exit(), r.err());
        List<String> a = r.out();
        int jarAt = a.indexOf(jar);
        assertTrue(contains(a.subList(0, jarAt), "--master", "yarn"));
        assertTrue(contains(a.subList(0, jarAt), "--deploy-mode", "client", "--num-executors", "2"));
        assertEquals(List.of("pretrain", "--master", "yarn", "--profile", "yarn"), a.subList(jarAt + 1, a.size()));
    }

    @Test
    void userJavaOptionsAreAddedToTheLaunchersOwn() throws Exception {
        Result r = pacer(
                cluster(),
                "--master",
                "spark://h:7077",
                "--driver-java-options",
                "-Dd=1",
                "--conf",
                "spark.executor.extraJavaOptions=-De=2",
                "report",
                "runs/x");
        assertEquals(0, r.exit(), r.err());
        List<String> a = r.out();
        String driver = a.get(a.indexOf("--driver-java-options") + 1);
        assertTrue(driver.contains("-Dai.djl.offline=true") && driver.endsWith(" -Dd=1"), driver);
        assertTrue(a.contains("spark.executor.extraJavaOptions=-Dai.djl.offline=true -De=2"), a.toString());
        assertEquals(
                1,
                a.stream()
                        .filter(s -> s.startsWith("spark.executor.extraJavaOptions"))
                        .count());
        // report takes no --master: nothing is added after the command
        assertEquals(List.of("report", "runs/x"), a.subList(a.indexOf(jar) + 1, a.size()));
    }

    @Test
    void clusterDeployModeLeavesThisMachinesPathsOutAndTakesTheImagesJar() throws Exception {
        Result r = pacer(
                Map.of("SPARK_HOME", sparkHome.toString(), "PACER_APP_JAR", "local:///opt/pacer/pacer.jar"),
                "--master",
                "k8s://https://api:6443",
                "--deploy-mode",
                "cluster",
                "pretrain",
                "--profile",
                "kubernetes");
        assertEquals(0, r.exit(), r.err());
        List<String> a = r.out();
        assertEquals("-Dai.djl.offline=true", a.get(a.indexOf("--driver-java-options") + 1));
        int jarAt = a.indexOf("local:///opt/pacer/pacer.jar");
        assertTrue(jarAt > 0, a.toString());
        assertEquals(
                List.of("pretrain", "--master", "k8s://https://api:6443", "--profile", "kubernetes"),
                a.subList(jarAt + 1, a.size()));
    }

    @Test
    void localModeRunsJavaFromTheBuildClasspath() throws Exception {
        Result r = pacer(Map.of("PACER_DRY_RUN", "1"), "pretrain", "--master", "local[4]");
        assertEquals(0, r.exit(), r.err());
        assertEquals(1, r.out().size());
        String line = r.out().get(0);
        assertTrue(line.startsWith("java "), line);
        assertTrue(line.contains("/deps/a.jar:/deps/b.jar"), line);
        assertTrue(line.endsWith("dev.pacer.cli.PacerCli pretrain --master local\\[4\\]"), line);
        // SPARK_HOME alone does not leave local mode: a master selects the cluster
        Result plain = pacer(Map.of("PACER_DRY_RUN", "1", "SPARK_HOME", sparkHome.toString()), "pretrain");
        assertTrue(plain.out().get(0).startsWith("java "), plain.out().toString());
    }

    @Test
    void dryRunPrintsTheSparkSubmitCommand() throws Exception {
        Result r = pacer(
                Map.of("PACER_DRY_RUN", "1", "SPARK_HOME", sparkHome.toString()),
                "--master",
                "yarn",
                "--queue",
                "night",
                "pretrain");
        assertEquals(0, r.exit(), r.err());
        assertTrue(
                r.out().get(0).startsWith(sparkHome.resolve("bin/spark-submit") + " --master yarn"),
                r.out().get(0));
        assertTrue(r.out().get(0).contains(" --queue night "), r.out().get(0));
    }

    @Test
    void mistakesFailWithOneLineAndExitTwo() throws Exception {
        assertFails(Map.of(), "needs a Spark installation: set SPARK_HOME", "pretrain", "--master", "yarn");
        assertFails(Map.of(), "needs a Spark installation", "--master", "k8s://https://api:6443", "pretrain");
        assertFails(
                Map.of("SPARK_HOME", tmp.resolve("nothing").toString()),
                "has no executable bin/spark-submit",
                "--master",
                "yarn",
                "pretrain");
        assertFails(Map.of(), "need SPARK_HOME", "--executor-memory", "4g", "pretrain");
        assertFails(cluster(), "--max-steps is not a spark-submit option", "--max-steps", "3", "pretrain");
        assertFails(cluster(), "'pretrian' is not a Pacer command", "--master", "yarn", "pretrian");
        assertFails(cluster(), "--class is set by bin/pacer", "--class", "x.Y", "pretrain");
        assertFails(cluster(), "two masters", "--master", "yarn", "pretrain", "--master", "local[2]");
        assertFails(cluster(), "needs a value", "--master");
    }

    @Test
    void helpExplainsTheSplit() throws Exception {
        Result r = pacer(Map.of(), "--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().get(0).startsWith("usage: bin/pacer [SPARK-SUBMIT OPTIONS] COMMAND [OPTIONS]"));
    }

    @Test
    void gpuDiscoveryPrintsSparksResourceJson() throws Exception {
        Path fakeBin = Files.createDirectories(tmp.resolve("fake-nvidia"));
        Path smi = fakeBin.resolve("nvidia-smi");
        Files.writeString(smi, "#!/bin/sh\necho 0\necho 1\n");
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        String script = Path.of(System.getProperty("user.dir"))
                .resolveSibling("bin")
                .resolve("gpu-discovery.sh")
                .toString();
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", script);
        pb.environment().remove("CUDA_VISIBLE_DEVICES");
        pb.environment().put("PATH", fakeBin + ":" + pb.environment().get("PATH"));
        assertEquals("{\"name\":\"gpu\",\"addresses\":[\"0\",\"1\"]}", output(pb));
        // a restricted process numbers its devices from 0, as libtorch does
        pb.environment().put("CUDA_VISIBLE_DEVICES", "3,5,7");
        assertEquals("{\"name\":\"gpu\",\"addresses\":[\"0\",\"1\",\"2\"]}", output(pb));
    }

    private static String output(ProcessBuilder pb) throws Exception {
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static void assertFails(Map<String, String> env, String message, String... args) throws Exception {
        Result r = pacer(env, args);
        assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.out());
        assertTrue(r.out().isEmpty(), r.out().toString());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("pacer: ") && r.err().contains(message), r.err());
    }

    /** Whether {@code seq} occurs in {@code list} as consecutive elements. */
    private static boolean contains(List<String> list, String... seq) {
        return java.util.Collections.indexOfSubList(list, List.of(seq)) >= 0;
    }
}
