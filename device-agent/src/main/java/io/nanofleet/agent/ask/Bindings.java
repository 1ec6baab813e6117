package io.nanofleet.agent.ask;

import io.nanofleet.agent.config.Closest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which in-scope intent does what on this device: the built-in bindings of the agent's own intents
 * ({@link #DEFAULTS}), then the configuration's {@code ask.bind.<intent>} lines on top. The {@code iot} intents
 * have no built-in binding: the device cannot know which coil is the kitchen light. Checked once, at start-up:
 * every problem names its key.
 */
public final class Bindings {
    /** The configuration prefix: {@code ask.bind.iot_hue_lightoff = modbus-coil:17:off}. */
    public static final String PREFIX = "ask.bind.";

    /** The agent's own intents and what they do unless the configuration says otherwise. */
    public static final Map<String, String> DEFAULTS = defaults();

    private final Map<String, Binding> byIntent;

    private Bindings(Map<String, Binding> byIntent) {
        this.byIntent = Collections.unmodifiableMap(byIntent);
    }

    private static Map<String, String> defaults() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("agent_status", "action:status");
        m.put("agent_recalibrate", "action:recalibrate");
        m.put("agent_mute_alarms", "action:mute-alarms");
        m.put("agent_set_interval", "action:set-interval");
        m.put("agent_last_anomalies", "action:last-anomalies");
        m.put("agent_restart", "action:restart");
        return Collections.unmodifiableMap(m);
    }

    /** The built-in bindings only. */
    public static Bindings defaultsFor(Collection<String> localIntents) {
        try {
            return of(Map.of(), localIntents, true);
        } catch (InvalidBindingsException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param configured   intent (without the prefix) to its configuration form
     * @param localIntents the command model's in-scope intents: only those can be bound
     * @param canWriteModbus whether the agent has a Modbus connection ({@code sensor.modbus.host} set)
     * @throws InvalidBindingsException listing every bad key
     */
    public static Bindings of(Map<String, String> configured, Collection<String> localIntents, boolean canWriteModbus)
            throws InvalidBindingsException {
        Map<String, Binding> m = new LinkedHashMap<>();
        DEFAULTS.forEach((intent, spec) -> {
            if (localIntents.contains(intent)) {
                m.put(intent, Binding.parse(spec));
            }
        });
        List<String> problems = new ArrayList<>();
        configured.forEach((intent, spec) -> {
            String key = PREFIX + intent;
            if (!localIntents.contains(intent)) {
                problems.add(key + ": the command model has no in-scope intent '" + intent + "'"
                        + Closest.to(intent, localIntents).map(c -> " (did you mean '" + c + "'?)").orElse("")
                        + "; in-scope intents: " + String.join(", ", localIntents));
                return;
            }
            Binding b;
            try {
                b = Binding.parse(spec);
            } catch (IllegalArgumentException e) {
                problems.add(key + ": " + e.getMessage());
                return;
            }
            if ((b instanceof Binding.CoilWrite || b instanceof Binding.RegisterWrite) && !canWriteModbus) {
                problems.add(key + ": " + b.spec() + " needs a Modbus server: set sensor.modbus.host (and port, unit-id)");
                return;
            }
            m.put(intent, b);
        });
        if (!problems.isEmpty()) {
            throw new InvalidBindingsException(problems);
        }
        return new Bindings(m);
    }

    /** What {@code intent} does here, or null when nothing is bound to it ({@code none} included). */
    public Binding get(String intent) {
        Binding b = byIntent.get(intent);
        return b instanceof Binding.Unbound ? null : b;
    }

    /** Every binding, by intent (in the order defaults, then configuration). */
    public Map<String, Binding> all() {
        return byIntent;
    }

    /** Bad {@code ask.bind.*} lines, each naming its key. */
    public static final class InvalidBindingsException extends Exception {
        private final List<String> problems;

        InvalidBindingsException(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }
}
