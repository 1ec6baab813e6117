package io.nanofleet.cli.operator.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nanofleet.cli.operator.ApiClient;
import io.nanofleet.cli.operator.DurationConverter;
import io.nanofleet.cli.operator.ExitCodes;
import io.nanofleet.cli.operator.Format;
import io.nanofleet.cli.operator.Json;
import io.nanofleet.cli.operator.KeyValues;
import io.nanofleet.cli.operator.Table;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nanofleet command send|show}: signed commands to devices, and their results. */
@Command(name = "command", description = "Send commands to devices and follow their results.",
        subcommands = {CommandCommand.Send.class, CommandCommand.Show.class})
public final class CommandCommand extends BaseCommand {
    @Override
    public Integer call() {
        throw usage("missing subcommand: send or show (nanofleet command --help)");
    }

    /** Exactly one target. */
    static final class TargetOption {
        @Option(names = "--device", required = true, paramLabel = "ID", description = "one device")
        String device;
        @Option(names = "--group", required = true, paramLabel = "GROUP", description = "every device in a group")
        String group;
        @Option(names = "--tag", required = true, paramLabel = "TAG", description = "every device with a tag")
        String tag;
    }

    @Command(name = "send", description = {"Send a signed command (POST /api/v1/devices/{id}/commands or POST /api/v1/commands) "
            + "and wait for every device's result.",
            "Actions the agent knows: ping, set-config KEY=VALUE..., recalibrate, stream-raw duration_s=N, stop-raw, self-test, restart.",
            "Exit 0 when every device answered OK; 1 when any failed, was rejected, expired or did not answer within --wait."})
    public static final class Send extends BaseCommand {
        @ArgGroup(exclusive = true, multiplicity = "1")
        TargetOption target;

        @Parameters(index = "0", paramLabel = "ACTION", description = "the action, e.g. ping")
        String action;

        @Parameters(index = "1..*", paramLabel = "KEY=VALUE", description = "the action's arguments (strings)")
        List<String> arguments;

        @Option(names = "--ttl", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "the command expires on the device after this (default: the server's, 60s)")
        Duration ttl;

        @Option(names = "--wait", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "30s",
                description = "how long to wait for results (default: ${DEFAULT-VALUE})")
        Duration wait;

        @Option(names = "--no-wait", description = "print the sent commands and exit 0 without waiting for results")
        boolean noWait;

        @Override
        public Integer call() throws InterruptedException {
            Map<String, String> args = KeyValues.parse(arguments, spec.commandLine(), "a command argument");
            ObjectNode body = Json.MAPPER.createObjectNode().put("action", action);
            if (ttl != null) {
                if (ttl.toMillis() < 1) {
                    throw usage("--ttl must be positive");
                }
                body.put("ttlMs", ttl.toMillis());
            }
            if (!args.isEmpty()) {
                ObjectNode a = body.putObject("arguments");
                args.forEach(a::put);
            }
            String poll;
            JsonNode sent;
            if (target.device != null) {
                sent = api().post("/api/v1/devices/" + ApiClient.seg(target.device) + "/commands", body, DevicesCommand.unknown(target.device));
                poll = "/api/v1/commands/" + ApiClient.seg(sent.path("commandId").asText());
            } else {
                body.putObject("target").put(target.group != null ? "group" : "tag", target.group != null ? target.group : target.tag);
                sent = api().post("/api/v1/commands", body);
                poll = "/api/v1/command-batches/" + ApiClient.seg(sent.path("batchId").asText());
            }
            JsonNode last = sent;
            if (!noWait) {
                long deadline = now() + wait.toMillis();
                long pause = 200;
                while (pending(last) > 0 && now() < deadline) {
                    env().sleep(Duration.ofMillis(Math.min(pause, Math.max(1, deadline - now()))));
                    pause = Math.min(1000, pause * 2);
                    last = api().get(poll);
                }
            }
            List<JsonNode> commands = commands(last);
            if (json()) {
                printJson(last);
            } else {
                CommandCommand.table(commands, noWait).print(out());
            }
            if (noWait) {
                return ExitCodes.OK;
            }
            return summary(commands, wait);
        }

        private int summary(List<JsonNode> commands, Duration waited) {
            Map<String, Integer> bad = new TreeMap<>();
            for (JsonNode c : commands) {
                String s = Json.text(c, "status");
                if (!s.equals("OK")) {
                    bad.merge(s.equals("SENT") ? "no answer within " + Format.duration(waited) : s, 1, Integer::sum);
                }
            }
            if (bad.isEmpty()) {
                return ExitCodes.OK;
            }
            List<String> parts = new ArrayList<>();
            bad.forEach((k, v) -> parts.add(v + " " + k));
            int n = bad.values().stream().mapToInt(Integer::intValue).sum();
            err().println("nanofleet: " + n + " of " + commands.size() + " command" + (commands.size() == 1 ? "" : "s")
                    + " did not succeed (" + String.join(", ", parts) + ")");
            if (bad.keySet().stream().anyMatch(k -> k.startsWith("no answer"))) {
                err().println("  a device that is offline answers when it reconnects, if the command has not expired; "
                        + "follow it with: nanofleet command show " + (commands.size() == 1 ? Json.text(commands.get(0), "commandId")
                        : Json.text(commands.get(0), "batchId")));
            }
            return ExitCodes.FAILED;
        }
    }

    @Command(name = "show", description = "Show a command (GET /api/v1/commands/{id}) or a group/tag send (GET /api/v1/command-batches/{id}).")
    public static final class Show extends BaseCommand {
        @Parameters(paramLabel = "ID", description = "a commandId or a batchId")
        String id;

        @Override
        public Integer call() {
            JsonNode r = api().getOrNull("/api/v1/commands/" + ApiClient.seg(id));
            if (r == null) {
                r = api().get("/api/v1/command-batches/" + ApiClient.seg(id), new ApiClient.NotFound("no command or batch " + id,
                        "ids come from nanofleet command send (commandId, or batchId for a group or tag)"));
            }
            if (json()) {
                printJson(r);
            } else {
                CommandCommand.table(commands(r), false).print(out());
            }
            return ExitCodes.OK;
        }
    }

    /** One command or a batch's commands. */
    static List<JsonNode> commands(JsonNode r) {
        List<JsonNode> out = new ArrayList<>();
        if (r.has("commands")) {
            r.path("commands").forEach(out::add);
        } else {
            out.add(r);
        }
        return out;
    }

    /** DEVICE ACTION STATUS TOOK RESULT; "TOOK" is the time from issue to result. */
    static Table table(List<JsonNode> commands, boolean ids) {
        Table t = ids ? new Table("device", "action", "status", "command") : new Table("device", "action", "status", "took", "result");
        for (JsonNode c : commands) {
            if (ids) {
                t.row(Json.text(c, "deviceId"), Json.text(c, "action"), Json.text(c, "status"), Json.text(c, "commandId"));
            } else {
                long took = c.path("resultMs").isNumber() ? c.path("resultMs").asLong() - c.path("issuedMs").asLong() : -1;
                t.row(Json.text(c, "deviceId"), Json.text(c, "action"), Json.text(c, "status"),
                        took < 0 ? "" : Format.duration(Duration.ofMillis(took)), Json.text(c, "resultMessage"));
            }
        }
        return t;
    }

    static long pending(JsonNode r) {
        return commands(r).stream().filter(c -> "SENT".equals(Json.text(c, "status"))).count();
    }

}
