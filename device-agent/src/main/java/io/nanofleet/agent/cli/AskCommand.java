package io.nanofleet.agent.cli;

import io.nanofleet.agent.ask.AskJson;
import io.nanofleet.agent.ask.AskResult;
import io.nanofleet.agent.ask.OperatorClient;
import io.nanofleet.agent.config.AgentConfig;
import io.nanofleet.agent.config.Settings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nanofleet-agent ask "turn off the kitchen lights"}: asks the running agent over its operator socket. Exit 0
 * answered; 1 not answered (an error, nothing bound, a confirmation waiting, the fleet not answering yet) or no
 * agent; 2 usage.
 */
@Command(name = "ask", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Ask the running agent: its command model answers what it knows (and runs what the configuration "
                + "binds to it); anything else goes to the fleet over MQTT 5.",
                "Destructive actions (restart, Modbus writes) answer 'confirm: ...' with a token: run "
                        + "ask \"confirm TOKEN\" or ask again with --yes."})
final class AskCommand implements Callable<Integer> {
    static final Path DEFAULT_CONFIG = Path.of("/etc/nanofleet/agent.conf");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|min|h)?");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "TEXT", description = "the question or command, e.g. \"turn off the kitchen lights\"")
    List<String> words;

    @Option(names = "--socket", paramLabel = "PATH",
            description = "the agent's socket (default: ask.socket or <state.dir>/agent.sock from --config)")
    Path socket;

    @Option(names = "--config", paramLabel = "FILE", description = "the agent's configuration, to find the socket (default: "
            + "/etc/nanofleet/agent.conf when readable, else /var/lib/nanofleet/agent.sock)")
    Path config;

    @Option(names = "--yes", description = "confirm a destructive action (restart, Modbus write) up front")
    boolean yes;

    @Option(names = "--output", paramLabel = "human|json", defaultValue = "human",
            description = "human (default): the answer, or what went wrong on stderr; json: the answer object")
    String output;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "how long to wait for the fleet's answer: 500ms, 10s, 2m (default 10s); the question stays pending after it")
    String timeout;

    @Option(names = "--id", paramLabel = "ID", description = "instead of asking: the result of an earlier question (its id)")
    String id;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String text = words == null ? "" : String.join(" ", words).strip();
        if (text.isEmpty() == (id == null)) {
            err.println(id == null ? "ask what? e.g. nanofleet-agent ask \"turn off the kitchen lights\" (see --help)"
                    : "give either a question or --id, not both");
            return 2;
        }
        String mode = output.toLowerCase(Locale.ROOT);
        if (!mode.equals("human") && !mode.equals("json")) {
            err.println("--output is '" + output + "'; allowed: human, json");
            return 2;
        }
        long waitMs = millis(timeout);
        if (waitMs < 0) {
            err.println("--timeout is '" + timeout + "'; give a duration such as 500ms, 10s or 2m");
            return 2;
        }
        Path sock;
        try {
            sock = socketPath();
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 1;
        }
        String request = AskJson.request(new AskJson.Request(text, yes, waitMs, id));
        String line;
        try {
            line = OperatorClient.exchange(sock, request, waitMs + 20_000);
        } catch (IOException e) {
            err.println(e.getMessage());
            return 1;
        }
        AskResult r;
        try {
            r = AskJson.parseResult(line);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 1;
        }
        if (mode.equals("json")) {
            out.println(line);
        } else {
            if (!r.answer().isEmpty()) {
                out.println(r.answer());
            }
            if (!r.error().isEmpty()) {
                err.println(r.error());
            }
        }
        return r.answered() ? 0 : 1;
    }

    private Path socketPath() {
        if (socket != null) {
            return socket;
        }
        Path cfgFile = config != null ? config : Files.isReadable(DEFAULT_CONFIG) ? DEFAULT_CONFIG : null;
        if (cfgFile == null) {
            return Path.of(Settings.get(Settings.STATE_DIR).defaultValue()).resolve("agent.sock");
        }
        AgentConfig cfg = AgentMain.loadConfig(cfgFile, spec.commandLine().getErr());
        if (cfg == null) {
            throw new IllegalArgumentException("(pass --socket with the agent's socket instead)");
        }
        return AgentFactory.socketPath(cfg);
    }

    /** "10s" -> 10000; a bare number is seconds; -1 when not a duration. */
    static long millis(String s) {
        Matcher m = DURATION.matcher(s.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return -1;
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return -1;
        }
        String unit = m.group(2) == null ? "s" : m.group(2);
        long factor = switch (unit) {
            case "ms" -> 1;
            case "s" -> 1000;
            case "m", "min" -> 60_000;
            default -> 3_600_000;
        };
        return n > Long.MAX_VALUE / factor ? -1 : n * factor;
    }
}
