package io.nanofleet.agent.ask;

import io.nanofleet.agent.command.CommandTarget;
import io.nanofleet.agent.sensor.ModbusWriter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;

/**
 * What a {@link Binding} does on this device, with the slots of one question: a {@link Plan} that says what it will
 * do (the confirmation names exactly that) and the step that does it, against the agent's {@link CommandTarget}
 * and the Modbus connection.
 */
final class Actions {
    /** One action, ready to run: its description, whether the agent restarts after it, and the step. */
    record Plan(String description, boolean restart, Step step) {}

    @FunctionalInterface
    interface Step {
        /** Runs the action and returns what to answer; throws with what went wrong. */
        String run() throws Exception;
    }

    private final CommandTarget agent;
    private final ModbusWriter modbus;
    private final AskOptions options;
    private final IntSupplier waitingForFleet;

    Actions(CommandTarget agent, ModbusWriter modbus, AskOptions options, IntSupplier waitingForFleet) {
        this.agent = agent;
        this.modbus = modbus;
        this.options = options;
        this.waitingForFleet = waitingForFleet;
    }

    /**
     * What {@code b} would do with these slots, checked now (a missing or unusable slot, no Modbus, a restart an
     * embedded agent cannot do: {@link IllegalArgumentException} with what to say instead).
     */
    Plan plan(Binding b, Map<String, String> slots) {
        if (b instanceof Binding.Reply r) {
            String text = fill(r.template(), slots);
            return new Plan("reply", false, () -> text);
        }
        if (b instanceof Binding.CoilWrite w) {
            String v = resolve(w.value(), slots, "modbus-coil");
            Boolean on = Binding.coil(v);
            if (on == null) {
                throw new IllegalArgumentException("the value '" + v + "' for " + w.spec() + " is not on or off");
            }
            requireModbus(b);
            String what = "write coil " + w.address() + " = " + (on ? "on" : "off") + " on " + modbus.describe();
            return new Plan(what, false, () -> {
                modbus.writeCoil(w.address(), on);
                return "coil " + w.address() + " set " + (on ? "on" : "off") + " (" + modbus.describe() + ")";
            });
        }
        if (b instanceof Binding.RegisterWrite w) {
            String v = resolve(w.value(), slots, "modbus-register");
            int value = registerValue(v);
            if (value < 0) {
                throw new IllegalArgumentException("the value '" + v + "' for " + w.spec() + " is not a register value 0..65535");
            }
            requireModbus(b);
            String what = "write register " + w.address() + " = " + value + " on " + modbus.describe();
            return new Plan(what, false, () -> {
                modbus.writeRegister(w.address(), value);
                return "register " + w.address() + " set to " + value + " (" + modbus.describe() + ")";
            });
        }
        Binding.AgentAction a = (Binding.AgentAction) b;
        switch (a.action()) {
            case STATUS:
                return new Plan("status", false, this::status);
            case RECALIBRATE:
                return new Plan("recalibrate the detector", false, () -> {
                    if (!agent.recalibrate()) {
                        throw new IllegalStateException("the detector is not running on this agent");
                    }
                    return "recalibrating the detector on the next samples";
                });
            case MUTE_ALARMS: {
                String d = slots.get("duration");
                long seconds = d == null ? options.defaultMuteSeconds() : io.nanofleet.intents.slots.Durations.seconds(d);
                if (seconds <= 0) {
                    throw new IllegalArgumentException("'" + d + "' is not a duration; say e.g. 'mute alarms for ten minutes'");
                }
                if (seconds > AskOptions.MAX_MUTE_SECONDS) {
                    throw new IllegalArgumentException("alarms can be muted for at most " + Words.duration(AskOptions.MAX_MUTE_SECONDS * 1000));
                }
                String given = d == null ? " (no duration given)" : "";
                return new Plan("mute alarms for " + Words.duration(seconds * 1000), false, () -> {
                    long until = agent.now() + seconds * 1000;
                    agent.muteAlarmsUntil(until);
                    return "alarms muted for " + Words.duration(seconds * 1000) + given + ", until " + Words.clock(until)
                            + "; anomalies are still noted ('show the last anomalies')";
                });
            }
            case SET_INTERVAL: {
                String d = slots.get("duration");
                if (d == null) {
                    throw new IllegalArgumentException("say how often, e.g. 'send a summary every five minutes'");
                }
                long seconds = io.nanofleet.intents.slots.Durations.seconds(d);
                if (seconds <= 0) {
                    throw new IllegalArgumentException("'" + d + "' is not a duration; say e.g. 'send a summary every five minutes'");
                }
                long ms = seconds * 1000;
                if (ms < AskOptions.MIN_INTERVAL_MS || ms > AskOptions.MAX_INTERVAL_MS) {
                    throw new IllegalArgumentException("the summary interval must be " + Words.duration(AskOptions.MIN_INTERVAL_MS)
                            + " to " + Words.duration(AskOptions.MAX_INTERVAL_MS) + ", not " + Words.duration(ms));
                }
                return new Plan("send a summary every " + Words.duration(ms), false, () -> {
                    agent.telemetryIntervalMs(ms);
                    return "a summary every " + Words.duration(ms) + " from now on (until the agent restarts; "
                            + "telemetry.interval-ms in its configuration keeps it)";
                });
            }
            case LAST_ANOMALIES: {
                String n = slots.get("number");
                double parsed = n == null ? 5 : io.nanofleet.intents.slots.NumberWords.parse(n);
                if (!(parsed >= 1) || parsed != Math.rint(parsed)) {
                    throw new IllegalArgumentException("'" + n + "' is not a number of anomalies");
                }
                int count = (int) Math.min(parsed, io.nanofleet.agent.telemetry.AnomalyLog.CAPACITY);
                return new Plan("show the last anomalies", false, () -> anomalies(count));
            }
            case RESTART:
                if (!agent.canRestart()) {
                    throw new IllegalArgumentException("this agent runs embedded and cannot restart itself");
                }
                return new Plan("restart the agent", true, () -> "restarting the agent");
            default:
                throw new IllegalStateException(a.action().toString());
        }
    }

    private void requireModbus(Binding b) {
        if (modbus == null) {
            throw new IllegalArgumentException(b.spec() + " needs a Modbus server: set sensor.modbus.host");
        }
    }

    private static String resolve(String value, Map<String, String> slots, String what) {
        Matcher m = Binding.SLOT_ONLY.matcher(value);
        if (!m.matches()) {
            return value;
        }
        String v = slots.get(m.group(1));
        if (v == null) {
            throw new IllegalArgumentException("the " + what + " binding takes its value from {" + m.group(1)
                    + "}, and the question named no " + m.group(1));
        }
        return v;
    }

    /** "50", "fifty", "50 percent" -> 50; -1 when not 0..65535. */
    static int registerValue(String v) {
        String s = v.strip().toLowerCase(Locale.ROOT).replace("%", " ").replaceAll("\\b(per ?cent|percentage)\\b", " ").strip();
        double d = io.nanofleet.intents.slots.NumberWords.parse(s);
        if (Double.isNaN(d) || d != Math.rint(d) || d < 0 || d > 65_535) {
            return -1;
        }
        return (int) d;
    }

    static String fill(String template, Map<String, String> slots) {
        Matcher m = Binding.PLACEHOLDER.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(slots.getOrDefault(m.group(1), "")));
        }
        m.appendTail(sb);
        return sb.toString().replaceAll("\\s{2,}", " ").replaceAll("\\s+([.,;:!?])", "$1").strip();
    }

    static String slotsText(Map<String, String> slots) {
        if (slots.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(" (");
        new TreeMap<>(slots).forEach((k, v) -> sb.append(sb.length() > 2 ? ", " : "").append(k).append('=').append(v));
        return sb.append(')').toString();
    }

    private String status() {
        long pendingMessages = agent.pendingMessages();
        StringBuilder sb = new StringBuilder();
        sb.append(agent.connected() ? "connected to the fleet" : "not connected to the fleet");
        sb.append("; ").append(pendingMessages < 0 ? "queue unreadable" : pendingMessages + " message(s) queued");
        sb.append("; detector ").append(agent.detectorPhase());
        sb.append("; up ").append(Words.duration(Math.max(0, agent.now() - agent.bootTimeMs())));
        long muted = agent.alarmsMutedUntilMs();
        sb.append(muted > agent.now() ? "; alarms muted until " + Words.clock(muted) : "; alarms on");
        int waiting = waitingForFleet.getAsInt();
        if (waiting > 0) {
            sb.append("; ").append(waiting).append(" question(s) waiting for the fleet");
        }
        return sb.toString();
    }

    private String anomalies(int count) {
        var list = agent.lastAnomalies(count);
        if (list.isEmpty()) {
            return "no anomalies since the agent started (detector " + agent.detectorPhase() + ")";
        }
        StringBuilder sb = new StringBuilder(list.size() + " anomal" + (list.size() == 1 ? "y" : "ies") + ", newest first: ");
        for (int i = 0; i < list.size(); i++) {
            var e = list.get(i);
            sb.append(i == 0 ? "" : "; ").append(Words.clock(e.timestampMs()))
                    .append(String.format(Locale.ROOT, " score %.2f (threshold %.2f", e.score(), e.threshold()))
                    .append(e.topChannel().isEmpty() ? "" : ", mostly " + e.topChannel()).append(e.muted() ? ", muted" : "")
                    .append(')');
        }
        return sb.toString();
    }
}
