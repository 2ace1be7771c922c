package dev.pacer.config;

/** A setting that is unknown, of the wrong type or out of range; the message is one line. */
public final class ConfigError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConfigError(String message) {
        super(message);
    }
}
