package dev.pacer.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import dev.pacer.config.ConfigError;
import dev.pacer.run.PacerSettings;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options every command shares: a profile from {@code conf/}, config files and single
 * overrides, layered in that order over the reference.conf defaults.
 */
public class ConfigOptions {

    @Option(
            names = "--profile",
            paramLabel = "NAME",
            description = "Profile conf/NAME.conf under PACER_HOME (default: local, skipped if absent).")
    String profile;

    @Option(names = "--conf", paramLabel = "FILE", description = "Config file (HOCON); repeatable, later wins.")
    List<File> confFiles = new ArrayList<>();

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one setting; repeatable.")
    List<String> overrides = new ArrayList<>();

    /** Whether the command line gave any of these options (a command that reads no settings refuses them). */
    boolean given() {
        return profile != null || !confFiles.isEmpty() || !overrides.isEmpty();
    }

    /** Builds validated settings; {@code extra} (from command options) wins over everything. */
    PacerSettings settings(Config extra) {
        Config user = ConfigFactory.empty();
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new ConfigError("--set '" + o + "': expected KEY=VALUE, e.g. --set pacer.train.lr=1e-3");
            }
            String key = o.substring(0, eq).trim();
            try {
                user = user.withValue(
                        key, ConfigValueFactory.fromAnyRef(o.substring(eq + 1).trim(), "--set " + key));
            } catch (ConfigException e) {
                throw new ConfigError("--set '" + o + "': '" + key + "' is not a valid setting path");
            }
        }
        for (int i = confFiles.size() - 1; i >= 0; i--) {
            user = user.withFallback(parse(confFiles.get(i), "--conf"));
        }
        File profileFile = profileFile();
        if (profileFile != null) {
            user = user.withFallback(parse(profileFile, "--profile"));
        }
        Config all = extra.withFallback(user);
        if (all.hasPath("pacer") && all.getValue("pacer").valueType() != ConfigValueType.OBJECT) {
            throw new ConfigError("'pacer' is set to a value ("
                    + all.getValue("pacer").origin().description()
                    + "); settings go below it, e.g. --set pacer.train.lr=1e-3");
        }
        PacerSettings settings = PacerSettings.load(all);
        // this JVM may run libtorch itself (local mode's executor, bench): before it loads
        settings.cpuKernels().pinThisProcess().ifPresent(w -> System.err.println("pacer: warning: " + w));
        return settings;
    }

    private File profileFile() {
        String name = profile == null ? "local" : profile;
        String home = System.getProperty("pacer.home", System.getenv().getOrDefault("PACER_HOME", "."));
        File f = new File(new File(home, "conf"), name + ".conf");
        if (f.isFile()) {
            return f;
        }
        if (profile != null) {
            throw new ConfigError("--profile " + profile + ": no file " + f.getPath()
                    + "; profiles live in $PACER_HOME/conf (local, yarn, kubernetes, nightly)");
        }
        return null;
    }

    private static Config parse(File f, String option) {
        return dev.pacer.api.PacerConfig.parseFile(f, option);
    }
}
