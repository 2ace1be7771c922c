package dev.pacer.config;

/** Range checks for settings constructors: each failure names the key, the value and the range. */
public final class Check {

    private Check() {}

    public static double positive(String key, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new ConfigError(key + " = " + v + ": expected a finite number > 0");
        }
        return v;
    }

    public static long positive(String key, long v) {
        if (v <= 0) {
            throw new ConfigError(key + " = " + v + ": expected an integer > 0");
        }
        return v;
    }

    public static double nonNegative(String key, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new ConfigError(key + " = " + v + ": expected a finite number >= 0");
        }
        return v;
    }

    public static double inRange(String key, double v, double lo, double hi, boolean hiInclusive) {
        if (!(v >= lo) || (hiInclusive ? v > hi : v >= hi)) {
            throw new ConfigError(
                    key + " = " + v + ": expected a value in [" + lo + ", " + hi + (hiInclusive ? "]" : ")"));
        }
        return v;
    }

    public static long inRange(String key, long v, long lo, long hi) {
        if (v < lo || v > hi) {
            throw new ConfigError(key + " = " + v + ": expected an integer in [" + lo + ", " + hi + "]");
        }
        return v;
    }

    public static String oneOf(String key, String v, String... allowed) {
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw new ConfigError(key + " = \"" + v + "\": expected one of " + String.join(", ", allowed));
    }
}
