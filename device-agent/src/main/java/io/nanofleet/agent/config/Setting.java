package io.nanofleet.agent.config;

import java.util.List;
import java.util.Locale;

/**
 * One configuration key: its type, default, what values are allowed and whether the fleet may change it at
 * run time (the {@code set-config} command). The error messages name the key and the allowed values, so an
 * operator can fix a file without reading code.
 */
public record Setting(String key, Type type, String defaultValue, long min, long max, List<String> choices,
                      boolean runtime, String help) {

    /** Value types. */
    public enum Type { STRING, PATH, URL, LONG, DOUBLE, BOOLEAN, CHOICE }

    static Setting string(String key, String def, String help) {
        return new Setting(key, Type.STRING, def, 0, 0, List.of(), false, help);
    }

    static Setting path(String key, String def, String help) {
        return new Setting(key, Type.PATH, def, 0, 0, List.of(), false, help);
    }

    static Setting url(String key, String def, String help) {
        return new Setting(key, Type.URL, def, 0, 0, List.of(), false, help);
    }

    static Setting number(String key, long def, long min, long max, String help) {
        return new Setting(key, Type.LONG, Long.toString(def), min, max, List.of(), false, help);
    }

    static Setting decimal(String key, double def, long min, long max, String help) {
        return new Setting(key, Type.DOUBLE, Double.toString(def), min, max, List.of(), false, help);
    }

    static Setting flag(String key, boolean def, String help) {
        return new Setting(key, Type.BOOLEAN, Boolean.toString(def), 0, 0, List.of("true", "false"), false, help);
    }

    static Setting choice(String key, String def, List<String> choices, String help) {
        return new Setting(key, Type.CHOICE, def, 0, 0, choices, false, help);
    }

    Setting atRuntime() {
        return new Setting(key, type, defaultValue, min, max, choices, true, help);
    }

    /** What is allowed, for error messages and the documentation table. */
    public String allowed() {
        switch (type) {
            case LONG:
                return "an integer from " + min + " to " + max;
            case DOUBLE:
                return "a number from " + min + " to " + max;
            case BOOLEAN:
            case CHOICE:
                return "one of " + String.join(", ", choices);
            case URL:
                return "a URL such as mqtts://host:8883, tcp://host:1883 or coaps://host:5684";
            case PATH:
                return "a file system path";
            default:
                return "any text";
        }
    }

    /** Returns null when {@code value} is acceptable, otherwise what is wrong with it. */
    public String problem(String value) {
        if (value == null) {
            return "has no value; allowed: " + allowed();
        }
        switch (type) {
            case LONG:
                try {
                    long v = Long.parseLong(value.replace("_", ""));
                    return v < min || v > max ? "is " + value + "; allowed: " + allowed() : null;
                } catch (NumberFormatException e) {
                    return "is '" + value + "', not an integer; allowed: " + allowed();
                }
            case DOUBLE:
                try {
                    double v = Double.parseDouble(value);
                    return !(v >= min && v <= max) ? "is " + value + "; allowed: " + allowed() : null;
                } catch (NumberFormatException e) {
                    return "is '" + value + "', not a number; allowed: " + allowed();
                }
            case BOOLEAN:
            case CHOICE:
                return choices.contains(value.toLowerCase(Locale.ROOT)) ? null : "is '" + value + "'; allowed: " + allowed();
            case URL:
                return value.isEmpty() || value.matches("[a-z][a-z0-9+.-]*://[^/\\s]+(/\\S*)?") ? null
                        : "is '" + value + "', not a URL; allowed: " + allowed();
            default:
                return null;
        }
    }
}
