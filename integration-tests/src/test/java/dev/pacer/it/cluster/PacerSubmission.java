package dev.pacer.it.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.spark.launcher.SparkLauncher;

/**
 * One {@code pacer} command submitted as a user's {@code spark-submit} would: through Spark's
 * launcher, with the shaded jar, in client deploy mode. The launched process is the driver JVM
 * (the home's {@code bin/spark-submit} executes the command the launcher prints), so killing it
 * kills the driver. Its output goes to {@code log}.
 */
public final class PacerSubmission implements AutoCloseable {

    private final Process driver;
    private final Path log;
    private final long startNanos = System.nanoTime();

    private PacerSubmission(Process driver, Path log) {
        this.driver = driver;
        this.log = log;
    }

    /**
     * Submits {@code dev.pacer.cli.PacerCli args} to {@code master} with the given Spark settings.
     *
     * @param env      environment of the driver (the cluster's loopback settings)
     * @param workDir  the driver's working directory (outside the source tree, so no profile
     *                 file is picked up from ./conf)
     */
    public static PacerSubmission launch(
            Path sparkHome,
            Path submitJar,
            String master,
            Map<String, String> env,
            Map<String, String> sparkConf,
            List<String> args,
            Path workDir,
            Path log)
            throws IOException {
        if (!Files.isRegularFile(submitJar)) {
            throw new IllegalStateException("no shaded jar at " + submitJar
                    + ": build it first (mvn verify -pl integration-tests -am packages spark-jobs)");
        }
        Files.createDirectories(workDir);
        Files.createDirectories(log.getParent());
        SparkLauncher launcher = new SparkLauncher(env)
                .setSparkHome(sparkHome.toString())
                .setAppResource(submitJar.toString())
                .setMainClass("dev.pacer.cli.PacerCli")
                .setMaster(master)
                .setDeployMode("client")
                .setAppName("pacer-it")
                .directory(workDir.toFile())
                .redirectError()
                .redirectOutput(log.toFile());
        sparkConf.forEach(launcher::setConf);
        launcher.addAppArgs(args.toArray(String[]::new));
        return new PacerSubmission(launcher.launch(), log);
    }

    public Process driver() {
        return driver;
    }

    /** Seconds since launch. */
    public double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /**
     * Waits until {@code condition} holds, polling every 20 ms; false if the driver exits first
     * or {@code timeout} passes.
     */
    public boolean awaitCondition(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (!driver.isAlive()) {
                return condition.getAsBoolean();
            }
            Thread.sleep(20);
        }
        return false;
    }

    /** Waits for the driver to exit, at most {@code timeout} (then kills it); its exit code. */
    public int await(Duration timeout) throws InterruptedException, IOException {
        if (!driver.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            driver.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException(
                    "driver still running after " + timeout + "; killed it. Its output:\n" + output());
        }
        return driver.exitValue();
    }

    /** kill -9 of the driver JVM; returns once it is gone. */
    public void killDriver() throws InterruptedException {
        driver.destroyForcibly();
        driver.waitFor(10, TimeUnit.SECONDS);
    }

    /** Everything the driver wrote so far. */
    public String output() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    @Override
    public void close() {
        if (driver.isAlive()) {
            driver.destroyForcibly();
        }
    }
}
