package io.nanofleet.cli.operator.commands;

import io.nanofleet.cli.operator.ApiClient;
import io.nanofleet.cli.operator.ExitCodes;
import io.nanofleet.cli.operator.Json;
import io.nanofleet.cli.operator.Table;
import picocli.CommandLine.Command;

/** {@code nanofleet whoami}: the server, where the token comes from, and its role. */
@Command(name = "whoami", description = {"Show the server, where the token comes from, and the token's role.",
        "The API has no who-am-I route: the role is inferred from which read-only routes the token may call."})
public final class WhoamiCommand extends BaseCommand {
    @Override
    public Integer call() {
        ApiClient api = api();
        String role = Roles.probe(api);
        if (json()) {
            printJson(Json.MAPPER.createObjectNode().put("server", api.target().server().toString())
                    .put("tokenSource", api.target().tokenSource()).put("role", role));
        } else {
            Table.pairs(out(), "server", api.target().server(), "token", "from " + api.target().tokenSource(), "role", role);
        }
        return ExitCodes.OK;
    }
}
