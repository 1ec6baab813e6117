package io.nanofleet.agent;

import io.nanofleet.agent.ask.AskResult;
import io.nanofleet.agent.ask.AskService;
import io.nanofleet.agent.command.CommandDispatcher;
import io.nanofleet.agent.command.CommandTarget;
import io.nanofleet.agent.config.Settings;
import io.nanofleet.protocols.v1.Command;
import io.nanofleet.protocols.v1.CommandResult;
import java.util.Map;

/**
 * The actions the fleet can ask of an agent: {@code ping}, {@code set-config}, {@code recalibrate},
 * {@code stream-raw} / {@code stop-raw}, {@code self-test} and {@code restart}, and {@code ask} when the agent answers
 * questions. Each returns a result that the agent publishes as an event.
 */
final class AgentCommands {
    private AgentCommands() {}

    static void register(CommandTarget agent, CommandDispatcher d) {
        d.register("ping", c -> ok(c, "pong").putOutput("uptime_ms", String.valueOf(agent.now() - agent.bootTimeMs()))
                .putAllOutput(c.getArgumentsMap()).build());
        d.register("set-config", c -> setConfig(agent, c));
        d.register("recalibrate", c -> agent.recalibrate() ? ok(c, "calibrating on the next samples").build()
                : failed(c, "the detector is not running on this agent"));
        d.register("stream-raw", c -> {
            String arg = c.getArgumentsOrDefault("duration_s", "60");
            long seconds;
            try {
                seconds = Long.parseLong(arg);
            } catch (NumberFormatException e) {
                return rejected(c, "duration_s must be an integer number of seconds, got '" + arg + "'");
            }
            long ms = seconds * 1000;
            if (seconds <= 0 || ms > agent.maxRawMs()) {
                return rejected(c, "duration_s must be 1.." + agent.maxRawMs() / 1000 + " (" + Settings.RAW_MAX_SECONDS + ")");
            }
            long until = agent.now() + ms;
            agent.streamRawUntil(until);
            return ok(c, "streaming raw samples for " + seconds + " s").putOutput("until_ms", Long.toString(until)).build();
        });
        d.register("stop-raw", c -> {
            agent.streamRawUntil(0);
            return ok(c, "raw streaming stopped").build();
        });
        d.register("self-test", c -> selfTest(agent, c));
        // The restart itself happens after the result is queued (Inbox), so the fleet hears the answer.
        d.register("restart", c -> !agent.canRestart()
                ? failed(c, "this agent runs embedded and cannot restart itself")
                : ok(c, "restarting").putOutput("restart", "true").build());
    }

    /**
     * {@code ask text="..." [yes=true]}: the question goes through the same {@link AskService} as the operator's.
     * Answered here: OK with the answer in the message and the details in the output; a destructive action waits for
     * {@code ask text="confirm <token>"} (or runs at once with {@code yes=true}); anything the nano model hands on is
     * REJECTED with output {@code decision=offload} and not sent back to the fleet as a query (the fleet has the text).
     */
    static void registerAsk(AskService ask, CommandDispatcher d) {
        d.register("ask", c -> {
            String text = c.getArgumentsOrDefault("text", "");
            if (text.isBlank()) {
                return rejected(c, "ask needs the argument text, e.g. text=turn off the kitchen lights");
            }
            AskService.FleetAnswer a = ask.askFromFleet(text, "true".equalsIgnoreCase(c.getArgumentsOrDefault("yes", "false")));
            AskResult r = a.result();
            CommandResult.Builder b = CommandResult.newBuilder().setCommandId(c.getCommandId())
                    .setStatus(r.outcome() == AskResult.Outcome.DONE ? CommandResult.Status.OK
                            : r.outcome() == AskResult.Outcome.FAILED ? CommandResult.Status.FAILED : CommandResult.Status.REJECTED)
                    .setMessage(r.answer().isEmpty() ? r.error() : r.answer()).putAllOutput(AskService.output(r));
            if (a.restart()) {
                // Inbox restarts the agent once this result is queued, as for the restart command.
                b.putOutput("restart", "true");
            }
            return b.build();
        });
    }

    private static CommandResult setConfig(CommandTarget agent, Command c) {
        if (c.getArgumentsCount() == 0) {
            return rejected(c, "set-config needs arguments key=value; settable: " + runtimeKeys());
        }
        // Check everything before changing anything: all or nothing.
        for (Map.Entry<String, String> e : c.getArgumentsMap().entrySet()) {
            var s = Settings.get(e.getKey());
            if (s == null || !s.runtime()) {
                return rejected(c, "'" + e.getKey() + "' cannot be set at run time; settable: " + runtimeKeys());
            }
            String problem = s.problem(e.getValue());
            if (problem != null) {
                return rejected(c, e.getKey() + " " + problem);
            }
        }
        for (Map.Entry<String, String> e : c.getArgumentsMap().entrySet()) {
            String v = e.getValue();
            switch (e.getKey()) {
                case Settings.SAMPLE_INTERVAL:
                    agent.sampleIntervalMs(Long.parseLong(v));
                    break;
                case Settings.TELEMETRY_INTERVAL:
                    agent.telemetryIntervalMs(Long.parseLong(v));
                    break;
                case Settings.THRESHOLD_FACTOR:
                    agent.thresholdFactor(Double.parseDouble(v));
                    break;
                default:
                    break;
            }
        }
        return ok(c, "applied " + c.getArgumentsMap().keySet()).putAllOutput(c.getArgumentsMap()).build();
    }

    private static String runtimeKeys() {
        StringBuilder sb = new StringBuilder();
        for (var s : Settings.all()) {
            if (s.runtime() && !s.key().equals(Settings.RAW_MAX_SECONDS)) {
                sb.append(sb.length() == 0 ? "" : ", ").append(s.key());
            }
        }
        return sb.toString();
    }

    private static CommandResult selfTest(CommandTarget agent, Command c) {
        CommandResult.Builder r = CommandResult.newBuilder().setCommandId(c.getCommandId());
        StringBuilder failures = new StringBuilder();
        try {
            r.putOutput("sensor", "ok " + agent.probeSensor() + " channels");
        } catch (Exception e) {
            r.putOutput("sensor", "failed: " + e.getMessage());
            failures.append("sensor ");
        }
        r.putOutput("uplink", agent.connected() ? "connected" : "disconnected");
        long pending = agent.pendingMessages();
        r.putOutput("queue", pending < 0 ? "unreadable" : pending + " pending");
        if (pending < 0) {
            failures.append("queue ");
        }
        r.putOutput("detector", agent.detectorPhase());
        return failures.length() == 0 ? r.setStatus(CommandResult.Status.OK).setMessage("self-test passed").build()
                : r.setStatus(CommandResult.Status.FAILED).setMessage("self-test failed: " + failures.toString().strip()).build();
    }

    private static CommandResult.Builder ok(Command c, String message) {
        return CommandResult.newBuilder().setCommandId(c.getCommandId()).setStatus(CommandResult.Status.OK).setMessage(message);
    }

    private static CommandResult failed(Command c, String message) {
        return CommandResult.newBuilder().setCommandId(c.getCommandId()).setStatus(CommandResult.Status.FAILED)
                .setMessage(message).build();
    }

    private static CommandResult rejected(Command c, String message) {
        return CommandResult.newBuilder().setCommandId(c.getCommandId()).setStatus(CommandResult.Status.REJECTED)
                .setMessage(message).build();
    }
}
