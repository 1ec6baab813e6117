package io.nanofleet.cli.operator.commands;

import io.nanofleet.cli.operator.ApiClient;
import io.nanofleet.cli.operator.CliException;
import io.nanofleet.cli.operator.ContextFile;
import io.nanofleet.cli.operator.ExitCodes;
import io.nanofleet.cli.operator.Json;
import io.nanofleet.cli.operator.ServerUrl;
import java.io.IOException;
import java.net.URI;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nanofleet login}: checks the token against the server, then saves server and token in the context file. */
@Command(name = "login", description = {"Check a token against a fleet server and save both in the login context "
        + "(owner-only file, 0600).",
        "The token comes from --token, $NANOFLEET_TOKEN, --token-stdin, or a prompt on the terminal."})
public final class LoginCommand extends BaseCommand {
    @Option(names = "--token-stdin", description = "read the token from the first line of standard input (keeps it out of shell history)")
    boolean tokenStdin;

    @Override
    public Integer call() {
        String s = root().serverOption();
        if (s == null) {
            throw usage("login needs --server URL (or $NANOFLEET_SERVER), e.g. nanofleet login --server http://127.0.0.1:8080 --token TOKEN");
        }
        URI url = ServerUrl.parse(s, spec.commandLine());
        String token = token();
        ApiClient api = new ApiClient(new ApiClient.Target(url, token, "--token"), env().http());
        String path = "/api/v1/ca.pem"; // viewer: every valid token may read it; small; only a fleet server has it
        ApiClient.Answer a = api.probe(path);
        if (a.status() == 401) {
            throw new CliException(ExitCodes.AUTH, url + " refused this token: " + ApiClientMessages.error(a),
                    "check the token (the bootstrap admin token is in the server's <data-dir>/admin-token; admins make more with "
                            + "POST /api/v1/tokens); nothing was saved");
        }
        if (a.status() != 200 || a.body() == null || !a.body().startsWith("-----BEGIN CERTIFICATE")) {
            throw new CliException(ExitCodes.UNREACHABLE, url + " does not answer like a NanoFleet fleet server (GET " + path + ": HTTP "
                    + a.status() + ")", "give the server's base URL, e.g. http://HOST:8080 (what nanofleet-server serve prints); nothing was saved");
        }
        String role = Roles.probe(api);
        ContextFile file = root().contextFile();
        file.write(new ContextFile.Context(url.toString(), token));
        if (json()) {
            printJson(Json.MAPPER.createObjectNode().put("server", url.toString()).put("role", role)
                    .put("context", file.path().toString()));
        } else {
            out().println("Logged in to " + url + " (role " + role + "); saved to " + file.path());
        }
        return ExitCodes.OK;
    }

    private String token() {
        String[] t = root().tokenOption();
        if (t != null && tokenStdin) {
            throw usage("give the token either with " + t[1] + " or with --token-stdin, not both");
        }
        String token;
        if (t != null) {
            token = t[0];
        } else if (tokenStdin) {
            try {
                token = env().in().readLine();
            } catch (IOException e) {
                token = null;
            }
            if (token == null || token.isBlank()) {
                throw usage("--token-stdin: standard input had no token");
            }
        } else {
            token = env().readSecret("API token for " + root().serverOption() + ": ");
            if (token == null) {
                throw usage("login needs a token: --token TOKEN, $NANOFLEET_TOKEN, or --token-stdin");
            }
        }
        token = token.trim();
        if (token.isEmpty() || token.chars().anyMatch(c -> c <= ' ' || c == 127)) {
            throw usage("the token must be one word without spaces or control characters");
        }
        return token;
    }
}
