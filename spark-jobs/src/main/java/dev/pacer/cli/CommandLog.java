package dev.pacer.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Where one command's log goes (docs/refusals.md): everything the loggers pass, stack traces
 * included, to a file of its own under the log directory, created when the first line is
 * written; the console keeps one-line messages only ({@link QuietConsole}), unless
 * {@code --verbose}. The log directory is the system property {@code dev.pacer.log.dir}, else the
 * environment variable {@code PACER_LOG_DIR}, else {@code logs/} under {@code PACER_HOME}
 * (bin/pacer sets it), else {@code pacer-logs/} in the temporary directory.
 *
 * <p>Works on log4j 2, Spark's logging back end; with any other back end there is no file and
 * the console is left as it is.
 */
final class CommandLog implements AutoCloseable {

    /**
     * Not under "pacer.": Typesafe Config reads system properties into the reference settings,
     * where a pacer.* property would become a setting (and change the config digest).
     */
    static final String DIR_PROPERTY = "dev.pacer.log.dir";

    static final String DIR_ENV = "PACER_LOG_DIR";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");

    private final Path file;
    private final List<Runnable> undo;

    private CommandLog(Path file, List<Runnable> undo) {
        this.file = file;
        this.undo = undo;
    }

    /** Starts logging {@code command} to its file and, unless {@code verbose}, quiets the console. */
    static CommandLog start(String command, boolean verbose) {
        if (!(LogManager.getContext(false) instanceof LoggerContext ctx)) {
            return new CommandLog(null, List.of());
        }
        Configuration config = ctx.getConfiguration();
        List<Runnable> undo = new ArrayList<>();
        if (!verbose) {
            QuietConsole quiet = new QuietConsole();
            quiet.start();
            for (Appender a : config.getAppenders().values()) {
                if (a instanceof ConsoleAppender console) {
                    console.addFilter(quiet);
                    undo.add(() -> console.removeFilter(quiet));
                }
            }
        }
        Path file = newFile(command);
        if (file != null) {
            FileAppender appender = FileAppender.newBuilder()
                    .setName("pacer-command-log-" + file.getFileName())
                    .withFileName(file.toString())
                    .withCreateOnDemand(true)
                    .setLayout(PatternLayout.newBuilder()
                            .withConfiguration(config)
                            .withPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5p [%t] %c: %m%n")
                            .build())
                    .setConfiguration(config)
                    .build();
            appender.start();
            config.addAppender(appender);
            config.getRootLogger().addAppender(appender, null, null);
            ctx.updateLoggers();
            undo.add(() -> {
                config.getRootLogger().removeAppender(appender.getName());
                ctx.updateLoggers();
                appender.stop();
            });
        }
        return new CommandLog(file, undo);
    }

    /** The log file (it exists once something was logged), or empty when there is none. */
    Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    @Override
    public void close() {
        for (int i = undo.size() - 1; i >= 0; i--) {
            undo.get(i).run();
        }
    }

    static Path directory() {
        String dir = System.getProperty(DIR_PROPERTY, "");
        if (dir.isBlank()) {
            dir = System.getenv().getOrDefault(DIR_ENV, "");
        }
        if (!dir.isBlank()) {
            return Path.of(dir);
        }
        String home = System.getProperty("pacer.home", "");
        return home.isBlank() ? Path.of(System.getProperty("java.io.tmpdir"), "pacer-logs") : Path.of(home, "logs");
    }

    /** {@code pacer-COMMAND-yyyyMMdd-HHmmss-SSS-PID.log}, or null when the directory cannot be made. */
    private static Path newFile(String command) {
        Path dir = directory().toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException | SecurityException e) {
            return null;
        }
        if (!Files.isWritable(dir)) {
            return null;
        }
        String name = "pacer-" + command + "-" + LocalDateTime.now().format(STAMP) + "-"
                + ProcessHandle.current().pid() + ".log";
        return dir.resolve(name);
    }
}
