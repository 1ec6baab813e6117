package io.nanofleet.cli.operator;

import io.nanofleet.cli.operator.commands.AuditCommand;
import io.nanofleet.cli.operator.commands.CommandCommand;
import io.nanofleet.cli.operator.commands.CompletionCommand;
import io.nanofleet.cli.operator.commands.DevicesCommand;
import io.nanofleet.cli.operator.commands.EnrollTokenCommand;
import io.nanofleet.cli.operator.commands.LoginCommand;
import io.nanofleet.cli.operator.commands.LogoutCommand;
import io.nanofleet.cli.operator.commands.ModelsCommand;
import io.nanofleet.cli.operator.commands.RolloutsCommand;
import io.nanofleet.cli.operator.commands.WhoamiCommand;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code nanofleet}: the operator's command line. It speaks only the fleet server's public REST API
 * ({@code /api/v1}), with the token of a saved login context or of {@code --token}/{@code NANOFLEET_TOKEN}.
 */
@Command(name = "nanofleet", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true, versionProvider = Nanofleet.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Operate a NanoFleet fleet server: devices, commands, models, rollouts and the audit log, over its REST API.",
        footerHeading = "%nExit codes:%n",
        footer = {"  0  done (command send: every device OK; rollouts watch: completed)",
                "  1  failed: refused by the server, a device failed, rollout aborted or stopped",
                "  2  usage: bad arguments, nothing configured, no terminal to confirm on",
                "  3  rollouts watch --until-paused: paused by an operator",
                "  4  the server refused the token (401) or its role (403)",
                "  5  the server is unreachable or does not answer like a fleet server",
                "%nStart with: nanofleet login --server http://HOST:8080 --token TOKEN"},
        subcommands = {LoginCommand.class, LogoutCommand.class, WhoamiCommand.class, DevicesCommand.class, EnrollTokenCommand.class,
                CommandCommand.class, ModelsCommand.class, RolloutsCommand.class, AuditCommand.class, CompletionCommand.class})
public final class Nanofleet implements Runnable {
    /** How results are printed. */
    public enum Output { table, json }

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "table|json", defaultValue = "table",
            description = "table (for people, the default) or json (the API's objects, for scripts)")
    Output output;

    @Option(names = "--server", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "fleet server base URL, e.g. http://127.0.0.1:8080 (default: $NANOFLEET_SERVER, else the login context)")
    String server;

    @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "TOKEN",
            description = "API token (default: $NANOFLEET_TOKEN, else the login context)")
    String token;

    @Option(names = "--context", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "login context file (default: $XDG_CONFIG_HOME/nanofleet/context.json, else ~/.config/nanofleet/context.json)")
    Path context;

    private final Env env;
    private ApiClient api;

    public Nanofleet(Env env) {
        this.env = env;
    }

    public static void main(String[] args) {
        int code = run(Env.system(), args);
        System.exit(code);
    }

    /** Runs one command line and returns its exit code (see {@link ExitCodes}). */
    public static int run(Env env, String... args) {
        CommandLine cl = commandLine(env);
        int code = cl.execute(args);
        env.out().flush();
        env.err().flush();
        return code;
    }

    /** The command tree with its streams and error handling. */
    public static CommandLine commandLine(Env env) {
        CommandLine cl = new CommandLine(new Nanofleet(env));
        cl.setOut(env.out());
        cl.setErr(env.err());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof CliException c) {
                cmd.getErr().println("nanofleet: " + c.getMessage());
                if (c.hint() != null) {
                    cmd.getErr().println("  " + c.hint());
                }
                return c.exitCode();
            }
            cmd.getErr().println("nanofleet: unexpected error: " + ex);
            if (env.var("NANOFLEET_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            } else {
                cmd.getErr().println("  set NANOFLEET_DEBUG=1 for the stack trace");
            }
            return ExitCodes.FAILED;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("nanofleet: " + ex.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, cmd.getErr())) {
                cmd.getErr().println("  see: " + cmd.getCommandSpec().qualifiedName() + " --help");
            }
            return ExitCodes.USAGE;
        });
        return cl;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (nanofleet --help lists them)");
    }

    public Env env() {
        return env;
    }

    public Output output() {
        return output;
    }

    public boolean json() {
        return output == Output.json;
    }

    public ContextFile contextFile() {
        return ContextFile.locate(context, env);
    }

    /** {@code --server} if given, else {@code $NANOFLEET_SERVER}; null when neither. */
    public String serverOption() {
        return server != null ? server : env.var("NANOFLEET_SERVER");
    }

    /** {@code --token} if given, else {@code $NANOFLEET_TOKEN}, with where it came from; null when neither. */
    public String[] tokenOption() {
        if (token != null) {
            return new String[] {token, "--token"};
        }
        String t = env.var("NANOFLEET_TOKEN");
        return t != null ? new String[] {t, "NANOFLEET_TOKEN"} : null;
    }

    /**
     * The server and token to use: flags, then environment, then the login context. The context's token is
     * only sent to the context's own server, never to another one named by a flag or the environment.
     */
    public ApiClient.Target target() {
        String s = serverOption();
        String[] t = tokenOption();
        ContextFile file = contextFile();
        Optional<ContextFile.Context> saved = s != null && t != null ? Optional.empty() : file.read(env);
        URI url;
        if (s != null) {
            url = ServerUrl.parse(s, spec.commandLine());
        } else if (saved.isPresent()) {
            url = ServerUrl.parse(saved.get().server(), spec.commandLine());
        } else {
            throw new CliException(ExitCodes.USAGE, "no fleet server configured",
                    "log in first: nanofleet login --server http://HOST:8080 --token TOKEN "
                            + "(or set NANOFLEET_SERVER and NANOFLEET_TOKEN, or pass --server and --token)");
        }
        if (t != null) {
            return new ApiClient.Target(url, t[0], t[1]);
        }
        if (saved.isPresent() && saved.get().token() != null
                && ServerUrl.parse(saved.get().server(), spec.commandLine()).equals(url)) {
            return new ApiClient.Target(url, saved.get().token(), "the login context " + file.path());
        }
        throw new CliException(ExitCodes.USAGE, "no API token for " + url,
                saved.isPresent() ? "the login context " + file.path() + " is for " + saved.get().server()
                        + "; log in to this server: nanofleet login --server " + url + " --token TOKEN (or pass --token)"
                        : "log in first: nanofleet login --server " + url + " --token TOKEN (or set NANOFLEET_TOKEN, or pass --token)");
    }

    /** The API client for this run (resolved once). */
    public synchronized ApiClient api() {
        if (api == null) {
            api = new ApiClient(target(), env.http());
        }
        return api;
    }

    /** {@code --version}: the project version from the jar. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"nanofleet " + version()};
        }

        public static String version() {
            Properties p = new Properties();
            try (InputStream in = Nanofleet.class.getResourceAsStream("/nanofleet-cli.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                // unknown
            }
            return p.getProperty("version", "unknown");
        }
    }
}
