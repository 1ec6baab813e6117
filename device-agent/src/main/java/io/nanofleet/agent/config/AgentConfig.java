package io.nanofleet.agent.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The agent's configuration: a plain {@code key = value} file ({@code #} starts a comment, one key per line,
 * keys from {@link Settings}). Parsing checks every line and every value and reports all problems at once,
 * each with its line, key and what is allowed. Immutable; {@link #with} returns a changed copy.
 */
public final class AgentConfig {
    private final Map<String, String> values;

    private AgentConfig(Map<String, String> values) {
        this.values = values;
    }

    /** Every key at its default. */
    public static AgentConfig defaults() {
        return new AgentConfig(new LinkedHashMap<>());
    }

    public static AgentConfig load(Path file) throws IOException, ConfigException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    public static AgentConfig parse(String text, String source) throws ConfigException {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = stripComment(lines[i]).strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = "line " + (i + 1);
            int eq = line.indexOf('=');
            if (eq <= 0) {
                problems.add(where + ": expected 'key = value', got '" + line + "'");
                continue;
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            Setting s = Settings.get(key);
            if (s == null) {
                problems.add(where + ": unknown key '" + key + "'" + suggestion(key) + " (see README.md for every key)");
                continue;
            }
            if (values.containsKey(key)) {
                problems.add(where + ": " + key + " is set twice");
                continue;
            }
            String problem = s.problem(value);
            if (problem != null) {
                problems.add(where + ": " + key + " " + problem);
                continue;
            }
            values.put(key, normalise(s, value));
        }
        AgentConfig cfg = new AgentConfig(values);
        problems.addAll(cfg.crossChecks());
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
        return cfg;
    }

    private static String stripComment(String line) {
        int hash = line.indexOf('#');
        return hash < 0 ? line : line.substring(0, hash);
    }

    private static String suggestion(String key) {
        List<String> keys = new java.util.ArrayList<>();
        Settings.all().forEach(s -> keys.add(s.key()));
        return Closest.to(key, keys).map(c -> "; did you mean '" + c + "'?").orElse("");
    }

    private static String normalise(Setting s, String value) {
        if (s.type() == Setting.Type.BOOLEAN || s.type() == Setting.Type.CHOICE) {
            return value.toLowerCase(Locale.ROOT);
        }
        return s.type() == Setting.Type.LONG ? value.replace("_", "") : value;
    }

    /** Rules that involve more than one key. */
    private List<String> crossChecks() {
        List<String> p = new ArrayList<>();
        if (longValue(Settings.RECONNECT_MAX) < longValue(Settings.RECONNECT_MIN)) {
            p.add(Settings.RECONNECT_MAX + " (" + longValue(Settings.RECONNECT_MAX) + ") must be >= "
                    + Settings.RECONNECT_MIN + " (" + longValue(Settings.RECONNECT_MIN) + ")");
        }
        if (longValue(Settings.QUEUE_MAX_BYTES) < 2 * longValue(Settings.QUEUE_SEGMENT_BYTES)) {
            p.add(Settings.QUEUE_MAX_BYTES + " must be at least 2 x " + Settings.QUEUE_SEGMENT_BYTES);
        }
        String sensor = string(Settings.SENSOR);
        if (sensor.equals("csv") && string(Settings.CSV_FILE).isEmpty()) {
            p.add(Settings.CSV_FILE + " is required when " + Settings.SENSOR + " = csv");
        }
        if (sensor.equals("modbus")) {
            if (string(Settings.MODBUS_HOST).isEmpty()) {
                p.add(Settings.MODBUS_HOST + " is required when " + Settings.SENSOR + " = modbus");
            }
            if (string(Settings.MODBUS_REGISTERS).isEmpty()) {
                p.add(Settings.MODBUS_REGISTERS + " is required when " + Settings.SENSOR + " = modbus");
            }
        }
        return p;
    }

    /** A copy with {@code key} set; the value is checked like a file value. */
    public AgentConfig with(String key, String value) throws ConfigException {
        Setting s = Settings.get(key);
        if (s == null) {
            throw new ConfigException("set " + key, List.of("unknown key '" + key + "'" + suggestion(key)));
        }
        String problem = s.problem(value);
        if (problem != null) {
            throw new ConfigException("set " + key, List.of(key + " " + problem));
        }
        Map<String, String> copy = new LinkedHashMap<>(values);
        copy.put(key, normalise(s, value));
        AgentConfig cfg = new AgentConfig(copy);
        List<String> cross = cfg.crossChecks();
        if (!cross.isEmpty()) {
            throw new ConfigException("set " + key, cross);
        }
        return cfg;
    }

    public boolean isSet(String key) {
        return values.containsKey(key) && !values.get(key).isEmpty();
    }

    public String string(String key) {
        Setting s = Settings.get(key);
        if (s == null) {
            throw new IllegalArgumentException("unknown key " + key);
        }
        return values.getOrDefault(key, s.defaultValue());
    }

    public long longValue(String key) {
        return Long.parseLong(string(key));
    }

    public int intValue(String key) {
        return Math.toIntExact(longValue(key));
    }

    public double doubleValue(String key) {
        return Double.parseDouble(string(key));
    }

    public boolean flag(String key) {
        return Boolean.parseBoolean(string(key));
    }

    public Path path(String key) {
        return Path.of(string(key));
    }

    /** The explicitly set keys starting with {@code prefix}, without it, in file order (e.g. the ask bindings). */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> m = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                m.put(k.substring(prefix.length()), v);
            }
        });
        return m;
    }

    /** The explicitly set values, in file order (what {@code status} prints). */
    public Map<String, String> explicitValues() {
        return Map.copyOf(values);
    }

    /** Serialises the explicit values back to the file format. */
    public String toFileText() {
        StringBuilder sb = new StringBuilder("# NanoFleet agent configuration (keys: see device-agent/README.md)\n");
        values.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
        return sb.toString();
    }
}
