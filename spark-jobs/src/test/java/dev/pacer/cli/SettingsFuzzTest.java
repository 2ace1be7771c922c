package dev.pacer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import dev.pacer.config.ConfigError;
import dev.pacer.fuzz.Fuzz;
import dev.pacer.fuzz.Mutator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random keys and values through {@code --set} into {@code PacerSettings.load} (the path every
 * command's settings take): every case gives valid settings or one {@link ConfigError} line.
 * Keys are every documented key, near misses of them and junk; values are boundary numbers,
 * other types, substitutions, odd strings and mutations of the documented default.
 */
class SettingsFuzzTest {

    private static final int CASES = 600;

    /** Every leaf key under pacer with its reference default, rendered as --set would give it. */
    static final List<Map.Entry<String, ConfigValue>> KEYS =
            new ArrayList<>(ConfigFactory.defaultReference().getConfig("pacer").entrySet().stream()
                    .map(e -> Map.entry("pacer." + e.getKey(), e.getValue()))
                    .toList());

    private static final String[] VALUES = {
        "",
        " ",
        "0",
        "-1",
        "1",
        "2",
        "7",
        "1e309",
        "-1e-320",
        "NaN",
        "Infinity",
        "0.5",
        "1.5",
        "-0",
        "99999999999999999999",
        "2147483648",
        "true",
        "false",
        "null",
        "yes",
        "[1, 2]",
        "{a: 1}",
        "${pacer.seed}",
        "${undefined.key}",
        "abc",
        "\u0000",
        "../x",
        "/no/such/dir",
        "tiny",
        "small",
        "gpt2-124m",
        "cosine",
        "wsd",
        "adamw",
        "lion",
        "byte",
        "auto",
        "local[2]",
        "mlp",
        "128",
        "64",
        "8",
        "1000000",
        "\"quoted\"",
        "a=b"
    };

    /** One {@code KEY=VALUE} of a documented key (mostly), a near miss, or junk. */
    static String pair(Random r) {
        Map.Entry<String, ConfigValue> e = KEYS.get(r.nextInt(KEYS.size()));
        String key = e.getKey();
        switch (r.nextInt(10)) {
            case 0 -> key = key.substring(0, 1 + r.nextInt(key.length() - 1)); // a prefix: maybe an object
            case 1 -> key = key.replace('-', r.nextBoolean() ? '_' : '.'); // a near miss
            case 2 ->
                key = new String[] {
                            "",
                            " ",
                            "pacer",
                            "pacer.",
                            "pacer..x",
                            "pacer.\"x",
                            "=",
                            "x.y",
                            "pacer.spark.conf.spark.ui.enabled"
                        }
                        [r.nextInt(9)];
            default -> {}
        }
        String value = switch (r.nextInt(4)) {
            case 0 -> scaled(String.valueOf(e.getValue().unwrapped()), r);
            case 1 -> String.valueOf(e.getValue().unwrapped());
            default -> VALUES[r.nextInt(VALUES.length)];
        };
        return r.nextInt(20) == 0 ? key : key + "=" + value; // sometimes no '=' at all
    }

    /** A numeric default times a power of ten, negated or not; other defaults as they are. */
    private static String scaled(String v, Random r) {
        try {
            double d = Double.parseDouble(v) * Math.pow(10, r.nextInt(13) - 6) * (r.nextBoolean() ? 1 : -1);
            return r.nextBoolean() ? String.valueOf(d) : String.valueOf((long) d);
        } catch (NumberFormatException e) {
            return v;
        }
    }

    static List<String> pairs(Mutator m) {
        List<String> out = new ArrayList<>();
        for (int i = 1 + m.random().nextInt(4); i > 0; i--) {
            out.add(pair(m.random()));
        }
        return out;
    }

    @Test
    void everySetOfRandomSettingsLoadsOrIsOneConfigurationError() {
        Fuzz.Summary s = Fuzz.cases(
                "settings (--set)",
                51,
                CASES,
                64L << 20,
                SettingsFuzzTest::pairs,
                List::size,
                sets -> {
                    ConfigOptions options = new ConfigOptions();
                    options.overrides = sets;
                    options.settings(ConfigFactory.empty());
                    return 0;
                },
                ConfigError.class);
        assertEquals(List.of(), s.crashes(), s.line());
        assertTrue(s.refused() > CASES / 2 && s.read() > 0, s.line());
    }
}
