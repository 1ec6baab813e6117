package io.nanofleet.agent.ask;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one in-scope intent does on this device, as the configuration says ({@code ask.bind.<intent> = ...}):
 * <ul>
 *   <li>{@code action:NAME}: one of the agent's own actions ({@link Action});</li>
 *   <li>{@code modbus-coil:ADDRESS:VALUE}: write single coil (Modbus function 5); VALUE is {@code on}, {@code off},
 *       {@code true}, {@code false}, {@code 1}, {@code 0} or a slot such as {@code {state}};</li>
 *   <li>{@code modbus-register:ADDRESS:VALUE}: write single register (function 6); VALUE is 0..65535 or a slot
 *       such as {@code {percentage}} or {@code {number}};</li>
 *   <li>{@code reply:TEXT}: answers TEXT, with {@code {slot}} placeholders filled in;</li>
 *   <li>{@code none}: nothing (takes a built-in binding away).</li>
 * </ul>
 * Restart and every Modbus write are {@linkplain #destructive() destructive}: they run only when confirmed.
 */
public sealed interface Binding {
    /** The slots the command model extracts, the only names a placeholder may use. */
    List<String> SLOTS = List.of("device_type", "house_place", "color_type", "coffee_type", "duration", "percentage", "number");

    /** The agent's own actions. */
    enum Action {
        STATUS("status"), RECALIBRATE("recalibrate"), MUTE_ALARMS("mute-alarms"), SET_INTERVAL("set-interval"),
        LAST_ANOMALIES("last-anomalies"), RESTART("restart");

        final String wire;

        Action(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        static Action of(String name) {
            for (Action a : values()) {
                if (a.wire.equals(name)) {
                    return a;
                }
            }
            return null;
        }

        static String names() {
            List<String> n = new ArrayList<>();
            for (Action a : values()) {
                n.add(a.wire);
            }
            return String.join(", ", n);
        }
    }

    /** Whether this binding changes the machine or the agent enough to need a confirmation. */
    boolean destructive();

    /** The configuration form, e.g. {@code modbus-coil:17:off}. */
    String spec();

    /** The slots a placeholder names. */
    default Set<String> placeholders() {
        return Set.of();
    }

    record AgentAction(Action action) implements Binding {
        @Override
        public boolean destructive() {
            return action == Action.RESTART;
        }

        @Override
        public String spec() {
            return "action:" + action.wire;
        }
    }

    record CoilWrite(int address, String value) implements Binding {
        @Override
        public boolean destructive() {
            return true;
        }

        @Override
        public String spec() {
            return "modbus-coil:" + address + ":" + value;
        }

        @Override
        public Set<String> placeholders() {
            return Binding.placeholdersIn(value);
        }
    }

    record RegisterWrite(int address, String value) implements Binding {
        @Override
        public boolean destructive() {
            return true;
        }

        @Override
        public String spec() {
            return "modbus-register:" + address + ":" + value;
        }

        @Override
        public Set<String> placeholders() {
            return Binding.placeholdersIn(value);
        }
    }

    record Reply(String template) implements Binding {
        @Override
        public boolean destructive() {
            return false;
        }

        @Override
        public String spec() {
            return "reply:" + template;
        }

        @Override
        public Set<String> placeholders() {
            return Binding.placeholdersIn(template);
        }
    }

    /** {@code none}: the intent does nothing on this device. */
    record Unbound() implements Binding {
        @Override
        public boolean destructive() {
            return false;
        }

        @Override
        public String spec() {
            return "none";
        }
    }

    Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");
    Pattern SLOT_ONLY = Pattern.compile("\\{([a-z_]+)}");
    String FORMS = "action:NAME (" + Action.names() + "), modbus-coil:ADDRESS:on|off|{slot}, "
            + "modbus-register:ADDRESS:0..65535|{slot}, reply:TEXT with {slot} placeholders, or none";

    private static Set<String> placeholdersIn(String text) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /**
     * Reads the configuration form.
     *
     * @throws IllegalArgumentException saying what is wrong and which forms are allowed
     */
    static Binding parse(String spec) {
        String s = spec == null ? "" : spec.strip();
        int colon = s.indexOf(':');
        String kind = (colon < 0 ? s : s.substring(0, colon)).toLowerCase(Locale.ROOT);
        String rest = colon < 0 ? "" : s.substring(colon + 1);
        Binding b;
        switch (kind) {
            case "none":
                if (colon >= 0) {
                    throw new IllegalArgumentException("'none' takes nothing after it");
                }
                return new Unbound();
            case "action": {
                Action a = Action.of(rest.strip().toLowerCase(Locale.ROOT));
                if (a == null) {
                    throw new IllegalArgumentException("unknown action '" + rest.strip() + "'; actions: " + Action.names());
                }
                return new AgentAction(a);
            }
            case "reply":
                if (rest.isBlank()) {
                    throw new IllegalArgumentException("reply: needs a text, e.g. reply:Lights off in the {house_place}");
                }
                b = new Reply(rest.strip());
                break;
            case "modbus-coil":
            case "modbus-register": {
                String[] p = rest.split(":", -1);
                if (p.length != 2) {
                    throw new IllegalArgumentException(kind + " needs ADDRESS:VALUE, e.g. "
                            + (kind.equals("modbus-coil") ? "modbus-coil:17:off" : "modbus-register:40:{percentage}"));
                }
                int address;
                try {
                    address = Integer.parseInt(p[0].strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(kind + " address '" + p[0].strip() + "' is not an integer 0..65535");
                }
                if (address < 0 || address > 65_535) {
                    throw new IllegalArgumentException(kind + " address must be 0..65535, got " + address);
                }
                String value = p[1].strip().toLowerCase(Locale.ROOT);
                if (!SLOT_ONLY.matcher(value).matches()) {
                    if (kind.equals("modbus-coil") && coil(value) == null) {
                        throw new IllegalArgumentException("modbus-coil value '" + p[1].strip()
                                + "' must be on, off, true, false, 1, 0 or a {slot}");
                    }
                    if (kind.equals("modbus-register") && register(value) < 0) {
                        throw new IllegalArgumentException("modbus-register value '" + p[1].strip()
                                + "' must be an integer 0..65535 or a {slot}");
                    }
                }
                b = kind.equals("modbus-coil") ? new CoilWrite(address, value) : new RegisterWrite(address, value);
                break;
            }
            default:
                throw new IllegalArgumentException("'" + s + "' is not a binding; allowed: " + FORMS);
        }
        for (String slot : b.placeholders()) {
            if (!SLOTS.contains(slot)) {
                throw new IllegalArgumentException("unknown slot {" + slot + "}; slots: " + String.join(", ", SLOTS));
            }
        }
        return b;
    }

    /** A coil value in words, or null. */
    static Boolean coil(String value) {
        switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "on":
            case "true":
            case "1":
                return Boolean.TRUE;
            case "off":
            case "false":
            case "0":
                return Boolean.FALSE;
            default:
                return null;
        }
    }

    /** A register value 0..65535, or -1. */
    static int register(String value) {
        try {
            int v = Integer.parseInt(value.strip());
            return v >= 0 && v <= 65_535 ? v : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
