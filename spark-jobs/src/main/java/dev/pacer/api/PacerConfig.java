package dev.pacer.api;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.pacer.config.ConfigChecker;
import dev.pacer.config.ConfigError;
import dev.pacer.run.PacerSettings;
import java.io.File;

/**
 * Pacer's settings for an application, built in layers as the command line builds them: the
 * defaults of every module's {@code reference.conf}, then each {@link #withFile file} and each
 * {@link #set value} in the order given, later ones winning. Every key is one of the command
 * line's ({@code pacer.model.preset}, {@code pacer.train.max-steps}, {@code pacer.data.path}, ...;
 * see the reference.conf files), checked when {@link #settings()} builds them.
 *
 * <pre>{@code
 * PacerSettings s = PacerConfig.defaults()
 *         .set("pacer.model.preset", "tiny")
 *         .set("pacer.data.path", "hdfs:///corpora/web")
 *         .set("pacer.run.dir", "hdfs:///runs/web-tiny")
 *         .settings();
 * }</pre>
 *
 * <p>Instances are immutable: each method returns a new one.
 */
public final class PacerConfig {

    private final Config layers;

    private PacerConfig(Config layers) {
        this.layers = layers;
    }

    /** No setting of the user's: every key at its reference.conf default. */
    public static PacerConfig defaults() {
        return new PacerConfig(ConfigFactory.empty());
    }

    /** {@code value} for {@code key} (a full path such as {@code pacer.train.lr}), over everything before. */
    public PacerConfig set(String key, Object value) {
        try {
            return new PacerConfig(layers.withValue(key, ConfigValueFactory.fromAnyRef(value, "PacerConfig.set")));
        } catch (ConfigException e) {
            throw new ConfigError("PacerConfig.set(\"" + key + "\", ...): '" + key
                    + "' is not a valid setting path (e.g. pacer.train.lr)");
        }
    }

    /** The settings of a HOCON file (a profile such as conf/nightly.conf), over everything before. */
    public PacerConfig withFile(String path) {
        return new PacerConfig(parseFile(new File(path), "config file").withFallback(layers));
    }

    /** {@code config} (for example read by the application itself), over everything before. */
    public PacerConfig withConfig(Config config) {
        return new PacerConfig(config.withFallback(layers));
    }

    /** The layers without the defaults: what the user set. */
    public Config toConfig() {
        return layers;
    }

    /** The validated settings; a {@link ConfigError} names the first bad key and what it expects. */
    public PacerSettings settings() {
        return PacerSettings.load(layers);
    }

    /**
     * Parses a HOCON file; {@code what} names it in the error ("--conf", "--profile", ...) when it
     * is missing or does not parse.
     */
    public static Config parseFile(File f, String what) {
        if (!f.isFile()) {
            throw new ConfigError(what + " " + f.getPath() + ": no such file");
        }
        try {
            return ConfigFactory.parseFile(f);
        } catch (ConfigException e) {
            throw new ConfigError(what + " " + f.getPath() + ": not valid HOCON: "
                    + ConfigChecker.explain(e).getMessage());
        }
    }
}
