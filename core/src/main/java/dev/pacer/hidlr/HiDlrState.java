package dev.pacer.hidlr;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * Hi-DLR's whole state, as checkpoints store it: probes taken, whether the frozen mode has
 * decided, the grouping, and per group (by name, in group order) its multiplier, its influence
 * measurements and whether it is frozen.
 */
public record HiDlrState(
        int probes, @JsonProperty("freeze_decided") boolean freezeDecided, String grouping, Map<String, Group> groups) {

    /** One group's part of the state. */
    public record Group(
            double multiplier,
            @JsonProperty("ppi_sum") double ppiSum,
            @JsonProperty("ppi_count") int ppiCount,
            boolean frozen) {}
}
