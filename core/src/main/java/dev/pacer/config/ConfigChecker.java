package dev.pacer.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Refuses settings that no module documents: every key under {@code pacer} that a user file or
 * override sets must exist in the merged reference.conf files. A typo fails at start-up with
 * the nearest valid key instead of being silently ignored for an hour-long run.
 */
public final class ConfigChecker {

    private ConfigChecker() {}

    /** Throws {@link ConfigError} for the first unknown key under {@code pacer} in {@code user}. */
    public static void checkKnownKeys(Config user, Config reference) {
        if (!user.hasPath("pacer")) {
            return;
        }
        TreeSet<String> known = new TreeSet<>();
        for (Map.Entry<String, ConfigValue> e : reference.getConfig("pacer").entrySet()) {
            known.add("pacer." + e.getKey());
        }
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> e : user.getConfig("pacer").entrySet()) {
            String key = "pacer." + e.getKey();
            if (!known.contains(key) && !insideOpenMap(key, reference)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            String key = unknown.get(0);
            ConfigValue value = user.getValue(key);
            String origin =
                    value.origin() == null ? "" : " (set in " + value.origin().description() + ")";
            throw new ConfigError("unknown setting '" + key + "'" + origin + "; did you mean '"
                    + nearest(key, known) + "'? Every key is documented in the reference.conf files"
                    + (unknown.size() > 1
                            ? "; " + (unknown.size() - 1) + " more unknown: " + unknown.subList(1, unknown.size())
                            : ""));
        }
    }

    /**
     * Keys below an object that the reference declares empty ({@code conf {}}) are free-form:
     * such a map passes settings through to another system, e.g. Spark's own.
     */
    private static boolean insideOpenMap(String key, Config reference) {
        int dot = key.lastIndexOf('.');
        while (dot > 0) {
            String prefix = key.substring(0, dot);
            try {
                if (reference.hasPath(prefix) && reference.getObject(prefix).isEmpty()) {
                    return true;
                }
            } catch (ConfigException e) {
                // not an object there, or a cut inside a quoted key: try a shorter prefix
            }
            dot = prefix.lastIndexOf('.');
        }
        return false;
    }

    /** Turns Typesafe Config's exceptions into one-line errors naming the key and the fix. */
    public static ConfigError explain(ConfigException e) {
        if (e instanceof ConfigException.WrongType) {
            return new ConfigError(
                    "wrong type: " + e.getMessage() + "; set it to a value of the type its reference.conf default has");
        }
        if (e instanceof ConfigException.Missing) {
            return new ConfigError("missing setting: " + e.getMessage());
        }
        return new ConfigError("invalid configuration: " + e.getMessage());
    }

    static String nearest(String key, Iterable<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = levenshtein(key, c);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best;
    }

    static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
