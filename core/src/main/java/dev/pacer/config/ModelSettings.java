package dev.pacer.config;

import com.typesafe.config.Config;
import dev.pacer.model.ModelPreset;

/** Settings under {@code pacer.model}, plus the controller switches later work fills in. */
public record ModelSettings(ModelPreset preset, boolean adalrs, boolean hidlr) {

    public static ModelSettings from(Config pacer) {
        ModelPreset preset;
        try {
            preset = ModelPreset.fromId(pacer.getString("model.preset"));
        } catch (IllegalArgumentException e) {
            throw new ConfigError("pacer.model.preset: " + e.getMessage());
        }
        return new ModelSettings(preset, pacer.getBoolean("adalrs.enabled"), pacer.getBoolean("hidlr.enabled"));
    }
}
