package io.nanofleet.cli.operator.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nanofleet.cli.operator.ApiClient;
import io.nanofleet.cli.operator.CliException;
import io.nanofleet.cli.operator.ExitCodes;
import io.nanofleet.cli.operator.Format;
import io.nanofleet.cli.operator.Json;
import io.nanofleet.cli.operator.KeyValues;
import io.nanofleet.cli.operator.Table;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nanofleet devices list|show|label|revoke}. */
@Command(name = "devices", description = "List, show, label and revoke devices.",
        subcommands = {DevicesCommand.ListDevices.class, DevicesCommand.Show.class, DevicesCommand.Label.class, DevicesCommand.Revoke.class})
public final class DevicesCommand extends BaseCommand {
    @Override
    public Integer call() {
        throw usage("missing subcommand: list, show, label or revoke (nanofleet devices --help)");
    }

    static ApiClient.NotFound unknown(String id) {
        return new ApiClient.NotFound("no device " + id, "nanofleet devices list shows the known devices");
    }

    static String tags(JsonNode d) {
        List<String> t = new ArrayList<>();
        d.path("tags").forEach(x -> t.add(x.asText()));
        return String.join(",", t);
    }

    @Command(name = "list", description = {"List devices (GET /api/v1/devices), filtered by group and/or tag on the server.",
            "The API returns the whole matching fleet in one answer: it has no paging."})
    public static final class ListDevices extends BaseCommand {
        @Option(names = "--group", paramLabel = "GROUP", description = "only devices in this group")
        String group;

        @Option(names = "--tag", paramLabel = "TAG", description = "only devices with this tag")
        String tag;

        @Override
        public Integer call() {
            JsonNode r = api().get("/api/v1/devices", ApiClient.params("group", group, "tag", tag));
            if (json()) {
                printJson(r);
                return ExitCodes.OK;
            }
            Table t = new Table("device", "status", "last seen", "group", "tags", "hardware", "agent", "registration");
            long now = now();
            for (JsonNode d : r.path("devices")) {
                t.row(Json.text(d, "deviceId"), Json.text(d, "status"), Format.ago(d.path("lastSeenMs").asLong(), now),
                        Json.text(d, "group"), tags(d), Json.text(d, "hardwareId"), Json.text(d, "agentVersion"), Json.text(d, "registration"));
            }
            if (t.size() == 0) {
                err().println(group == null && tag == null ? "no devices yet" : "no device matches"
                        + (group != null ? " group " + group : "") + (tag != null ? " tag " + tag : ""));
                return ExitCodes.OK;
            }
            t.print(out());
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", description = "Show one device (GET /api/v1/devices/{id}), with its latest events if asked.")
    public static final class Show extends BaseCommand {
        @Parameters(paramLabel = "ID", description = "device id")
        String id;

        @Option(names = "--events", paramLabel = "N", description = "also show the latest N events (install progress, command results; 1-10000)")
        Integer events;

        @Override
        public Integer call() {
            if (events != null && (events < 1 || events > 10_000)) {
                throw usage("--events must be 1-10000, got " + events);
            }
            JsonNode d = api().get("/api/v1/devices/" + ApiClient.seg(id), unknown(id));
            JsonNode ev = events == null ? null : api().get("/api/v1/devices/" + ApiClient.seg(id) + "/events",
                    ApiClient.params("limit", String.valueOf(events)));
            if (json()) {
                if (ev == null) {
                    printJson(d);
                } else {
                    printJson(((ObjectNode) d.deepCopy()).set("events", ev.path("events")));
                }
                return ExitCodes.OK;
            }
            List<String> channels = new ArrayList<>();
            d.path("channels").forEach(c -> channels.add(c.asText()));
            Table.pairs(out(), "device", Json.text(d, "deviceId"), "status", Json.text(d, "status"),
                    "last seen", d.path("lastSeenMs").asLong() <= 0 ? "never"
                            : Format.time(d.path("lastSeenMs").asLong(), env().zone()) + " (" + Format.ago(d.path("lastSeenMs").asLong(), now()) + ")",
                    "first seen", Format.time(d.path("firstSeenMs").asLong(), env().zone()),
                    "group", Json.text(d, "group"), "tags", tags(d), "hardware", Json.text(d, "hardwareId"),
                    "agent", Json.text(d, "agentVersion"), "channels", String.join(",", channels),
                    "registration", Json.text(d, "registration"));
            if (ev != null && ev.path("events").isEmpty()) {
                out().println();
                out().println("no events yet");
            } else if (ev != null) {
                out().println();
                Table t = new Table("time", "type", "detail");
                for (JsonNode e : ev.path("events")) {
                    t.row(Format.time(e.path("timestampMs").asLong(), env().zone()), Json.text(e, "type"), eventDetail(e));
                }
                t.print(out());
            }
            return ExitCodes.OK;
        }

        static String eventDetail(JsonNode e) {
            if (e.has("install")) {
                JsonNode i = e.get("install");
                return Json.text(i, "target") + " " + Json.text(i, "state") + " result " + Json.text(i, "result")
                        + (Json.text(i, "message").isEmpty() ? "" : ": " + Json.text(i, "message"));
            }
            if (e.has("commandResult")) {
                JsonNode c = e.get("commandResult");
                return "command " + Json.text(c, "commandId") + " " + Json.text(c, "status")
                        + (Json.text(c, "message").isEmpty() ? "" : ": " + Json.text(c, "message"));
            }
            return e.path("bytes").asLong() + " bytes";
        }
    }

    @Command(name = "label", description = {"Set a device's group and tags (PUT /api/v1/devices/{id}/labels).",
            "The API labels a device with one group and a set of tags; what is not given is kept (read, changed, written back).",
            "Examples: group=plant-b   tags=pump,north   group=   (no group)   --add-tag north   --remove-tag pump"})
    public static final class Label extends BaseCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "device id")
        String id;

        @Parameters(index = "1..*", paramLabel = "KEY=VALUE", description = "group=GROUP (empty: none) and/or tags=A,B,... (empty: none)")
        List<String> labels;

        @Option(names = "--add-tag", paramLabel = "TAG", description = "add a tag (repeatable)")
        List<String> add;

        @Option(names = "--remove-tag", paramLabel = "TAG", description = "remove a tag (repeatable)")
        List<String> remove;

        @Override
        public Integer call() {
            Map<String, String> kv = KeyValues.parse(labels, spec.commandLine(), "a label");
            for (String k : kv.keySet()) {
                if (!k.equals("group") && !k.equals("tags")) {
                    throw usage("unknown label '" + k + "': the API labels a device with group=GROUP and tags=A,B,...");
                }
            }
            if (kv.isEmpty() && add == null && remove == null) {
                throw usage("nothing to change: give group=GROUP, tags=A,B, --add-tag or --remove-tag");
            }
            if (kv.containsKey("tags") && (add != null || remove != null)) {
                throw usage("tags=... replaces every tag; do not combine it with --add-tag/--remove-tag");
            }
            JsonNode d = api().get("/api/v1/devices/" + ApiClient.seg(id), unknown(id));
            String group = kv.containsKey("group") ? kv.get("group").trim() : d.path("group").isTextual() ? d.path("group").asText() : null;
            Set<String> tags = new LinkedHashSet<>();
            if (kv.containsKey("tags")) {
                for (String t : kv.get("tags").split(",")) {
                    if (!t.isBlank()) {
                        tags.add(t.trim());
                    }
                }
            } else {
                d.path("tags").forEach(t -> tags.add(t.asText()));
            }
            if (add != null) {
                tags.addAll(add);
            }
            if (remove != null) {
                remove.forEach(tags::remove);
            }
            ObjectNode body = Json.MAPPER.createObjectNode();
            if (group == null || group.isEmpty()) {
                body.putNull("group");
            } else {
                body.put("group", group);
            }
            ArrayNode arr = body.putArray("tags");
            tags.forEach(arr::add);
            JsonNode r = api().put("/api/v1/devices/" + ApiClient.seg(id) + "/labels", body, unknown(id));
            if (json()) {
                printJson(r);
            } else {
                Table.pairs(out(), "device", Json.text(r, "deviceId"), "group", Json.text(r, "group"), "tags", tags(r));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "revoke", description = {"Revoke a device (POST /api/v1/devices/{id}/revoke): its certificates stop working, "
            + "its live session ends, its traffic is refused.",
            "Asks for confirmation on a terminal; in scripts add --yes (without it, and without a terminal, exit 2)."})
    public static final class Revoke extends BaseCommand {
        @Parameters(paramLabel = "ID", description = "device id")
        String id;

        @Option(names = {"-y", "--yes"}, description = "do not ask")
        boolean yes;

        @Override
        public Integer call() {
            if (!yes && !confirm("Revoke device " + id + "? Its certificates stop working and it cannot reconnect until it is enrolled again.",
                    "refusing to revoke " + id)) {
                throw new CliException(ExitCodes.FAILED, "not revoked: not confirmed");
            }
            JsonNode r = api().post("/api/v1/devices/" + ApiClient.seg(id) + "/revoke", null, unknown(id));
            if (json()) {
                printJson(r);
            } else {
                List<String> serials = new ArrayList<>();
                r.path("revokedSerials").forEach(s -> serials.add(s.asText()));
                out().println("Revoked " + Json.text(r, "deviceId") + ": " + serials.size() + " certificate"
                        + (serials.size() == 1 ? "" : "s") + (serials.isEmpty() ? " (already revoked)" : " (" + String.join(", ", serials) + ")")
                        + (r.path("disconnected").asBoolean() ? "; live session ended" : "; it was not connected"));
            }
            return ExitCodes.OK;
        }
    }
}
