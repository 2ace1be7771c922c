package dev.pacer.config;

import com.typesafe.config.Config;

/** Settings under {@code pacer.checkpoint}; documented in core's reference.conf. */
public record CheckpointSettings(long every, int keep) {

    public CheckpointSettings {
        Check.positive("pacer.checkpoint.every", every);
        Check.positive("pacer.checkpoint.keep", keep);
    }

    public static CheckpointSettings from(Config pacer) {
        Config c = pacer.getConfig("checkpoint");
        return new CheckpointSettings(c.getLong("every"), c.getInt("keep"));
    }
}
