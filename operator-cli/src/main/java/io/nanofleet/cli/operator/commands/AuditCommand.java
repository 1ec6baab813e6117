package io.nanofleet.cli.operator.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanofleet.cli.operator.ApiClient;
import io.nanofleet.cli.operator.ExitCodes;
import io.nanofleet.cli.operator.Format;
import io.nanofleet.cli.operator.Json;
import io.nanofleet.cli.operator.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nanofleet audit}: the append-only audit log (admin). */
@Command(name = "audit", description = {"Show the audit log, newest first (GET /api/v1/audit; admin): who did what, when, to what.",
        "A full page ends with the command for the next one (--before)."})
public final class AuditCommand extends BaseCommand {
    @Option(names = "--action", paramLabel = "PREFIX", description = "only actions starting with this, e.g. rollout. or device.revoke")
    String action;

    @Option(names = "--target", paramLabel = "TARGET", description = "only this exact target, e.g. device:pump-7 or ro-1a2b3c4d")
    String target;

    @Option(names = "--before", paramLabel = "ID", description = "only entries with an id below this (the next page)")
    Long before;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "at most N entries, 1-1000 (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() {
        if (limit < 1 || limit > 1000) {
            throw usage("--limit must be 1-1000, got " + limit);
        }
        JsonNode r = api().get("/api/v1/audit", ApiClient.params("action", action, "target", target,
                "before", before == null ? null : before.toString(), "limit", Integer.toString(limit)));
        if (json()) {
            printJson(r);
            return ExitCodes.OK;
        }
        Table t = new Table("id", "time", "actor", "action", "target", "detail");
        long lastId = -1;
        for (JsonNode e : r.path("entries")) {
            t.row(Json.text(e, "id"), Format.time(e.path("tsMs").asLong(), env().zone()), Json.text(e, "actor"), Json.text(e, "action"),
                    Json.text(e, "target"), Json.text(e, "detail"));
            lastId = e.path("id").asLong();
        }
        if (t.size() == 0) {
            err().println("no audit entries match");
            return ExitCodes.OK;
        }
        t.print(out());
        if (t.size() == limit) {
            err().println("more: nanofleet audit" + (action != null ? " --action " + action : "") + (target != null ? " --target " + target : "")
                    + " --limit " + limit + " --before " + lastId);
        }
        return ExitCodes.OK;
    }
}
