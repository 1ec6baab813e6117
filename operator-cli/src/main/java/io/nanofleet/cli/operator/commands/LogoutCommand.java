package io.nanofleet.cli.operator.commands;

import io.nanofleet.cli.operator.ContextFile;
import io.nanofleet.cli.operator.ExitCodes;
import picocli.CommandLine.Command;

/** {@code nanofleet logout}: removes the login context file. */
@Command(name = "logout", description = {"Remove the login context file (server and token).",
        "The token itself stays valid on the server; an admin revokes it with DELETE /api/v1/tokens/{id}."})
public final class LogoutCommand extends BaseCommand {
    @Override
    public Integer call() {
        ContextFile file = root().contextFile();
        if (file.delete()) {
            out().println("Logged out: removed " + file.path());
        } else {
            out().println("Not logged in: no " + file.path());
        }
        return ExitCodes.OK;
    }
}
