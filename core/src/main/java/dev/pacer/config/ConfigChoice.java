package dev.pacer.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A setting whose value is one of a fixed set, as an enum whose constants carry the id a config
 * file writes ({@code INVERSE_TIME} is {@code "inverse-time"}). Parsing, the list of allowed ids
 * in errors and the id written to checkpoints and events all come from the constants, so a value
 * is declared once.
 */
public interface ConfigChoice {

    /** The enum constant's name; enums implement it. */
    String name();

    /** The value as config files, checkpoints and events write it. */
    default String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The constant of {@code type} whose id is {@code value}; otherwise a {@link ConfigError} naming
     * {@code key}, the value given and the allowed ids.
     */
    static <E extends Enum<E> & ConfigChoice> E parse(Class<E> type, String key, String value) {
        for (E e : type.getEnumConstants()) {
            if (e.id().equals(value)) {
                return e;
            }
        }
        throw new ConfigError(key + " = \"" + value + "\": expected one of " + ids(type));
    }

    /** The allowed ids of {@code type}, in declaration order, comma-separated. */
    static <E extends Enum<E> & ConfigChoice> String ids(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(ConfigChoice::id).collect(Collectors.joining(", "));
    }
}
