package io.nanofleet.cli.operator.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nanofleet.cli.operator.DurationConverter;
import io.nanofleet.cli.operator.ExitCodes;
import io.nanofleet.cli.operator.Format;
import io.nanofleet.cli.operator.Json;
import io.nanofleet.cli.operator.Table;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nanofleet enroll-token}: a one-time enrollment token for one device (admin). */
@Command(name = "enroll-token", description = {"Create a one-time enrollment token for a device (POST /api/v1/enrollment-tokens; admin).",
        "The token is shown only once; the device redeems it with nanofleet-agent enroll."})
public final class EnrollTokenCommand extends BaseCommand {
    @Option(names = "--device", required = true, paramLabel = "ID", description = "the device id the token enrolls (its certificate's CN)")
    String device;

    @Option(names = "--ttl", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "how long the token is valid, 1s-30d (default: the server's, 24h)")
    Duration ttl;

    @Option(names = "--group", paramLabel = "GROUP", description = "group the device joins when it enrolls")
    String group;

    @Option(names = "--tag", paramLabel = "TAG", description = "tag the device gets when it enrolls (repeatable)")
    List<String> tags;

    @Override
    public Integer call() {
        ObjectNode body = Json.MAPPER.createObjectNode().put("deviceId", device);
        if (ttl != null) {
            if (ttl.toSeconds() < 1) {
                throw usage("--ttl must be at least 1s");
            }
            body.put("ttlSeconds", ttl.toSeconds());
        }
        if (group != null) {
            body.put("group", group);
        }
        if (tags != null) {
            ArrayNode a = body.putArray("tags");
            tags.forEach(a::add);
        }
        JsonNode r = api().post("/api/v1/enrollment-tokens", body);
        if (json()) {
            printJson(r);
            return ExitCodes.OK;
        }
        String token = Json.text(r, "token");
        Table.pairs(out(), "token", token, "device", Json.text(r, "deviceId"),
                "expires", Format.time(r.path("expiresMs").asLong(), env().zone()),
                "enroll", "nanofleet-agent enroll --server " + api().target().server() + " --token " + token + " --device-id " + device);
        return ExitCodes.OK;
    }
}
