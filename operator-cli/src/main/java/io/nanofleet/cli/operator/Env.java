package io.nanofleet.cli.operator;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Everything the CLI takes from the process it runs in: environment variables, home directory, standard
 * streams and whether they are terminals, the clock and sleeping. {@link #system()} is the real one; tests
 * build their own, so every command runs in-process with a fake environment and captured output.
 */
public final class Env {
    /** Sleeps; tests may shorten waits. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    /** Reads a secret without echo (a terminal prompt); null when there is no terminal. */
    @FunctionalInterface
    public interface SecretReader {
        String read(String prompt);
    }

    private final Map<String, String> vars;
    private final Path home;
    private final BufferedReader in;
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean stdinTerminal;
    private final boolean stdoutTerminal;
    private final boolean stderrTerminal;
    private final Clock clock;
    private final ZoneId zone;
    private final Sleeper sleeper;
    private final Supplier<HttpClient> http;
    private final SecretReader secrets;
    private HttpClient client;

    public Env(Map<String, String> vars, Path home, BufferedReader in, PrintWriter out, PrintWriter err, boolean stdinTerminal,
               boolean stdoutTerminal, boolean stderrTerminal, Clock clock, ZoneId zone, Sleeper sleeper,
               Supplier<HttpClient> http, SecretReader secrets) {
        this.vars = Map.copyOf(vars);
        this.home = home;
        this.in = in;
        this.out = out;
        this.err = err;
        this.stdinTerminal = stdinTerminal;
        this.stdoutTerminal = stdoutTerminal;
        this.stderrTerminal = stderrTerminal;
        this.clock = clock;
        this.zone = zone;
        this.sleeper = sleeper;
        this.http = http;
        this.secrets = secrets;
    }

    /** The real process: System streams, System.getenv, the system clock and time zone. */
    public static Env system() {
        Console console = System.console();
        Charset cs = console != null ? console.charset() : Charset.defaultCharset();
        boolean stdin = isTerminal(0, console != null);
        boolean stdout = isTerminal(1, console != null);
        boolean stderr = isTerminal(2, console != null);
        String home = System.getenv("HOME");
        return new Env(System.getenv(), Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home")),
                new BufferedReader(new InputStreamReader(System.in, cs)),
                new PrintWriter(new OutputStreamWriter(System.out, cs), true),
                new PrintWriter(new OutputStreamWriter(System.err, cs), true), stdin, stdout, stderr,
                Clock.systemUTC(), ZoneId.systemDefault(), d -> Thread.sleep(d.toMillis()), Env::newHttpClient,
                prompt -> {
                    Console c = System.console();
                    if (c == null) {
                        return null;
                    }
                    char[] s = c.readPassword("%s", prompt);
                    return s == null ? null : new String(s);
                });
    }

    /**
     * Whether file descriptor {@code fd} is a terminal. Java 17 only says whether stdin and stdout both are
     * ({@code System.console()}); on Linux {@code /proc/self/fd/N} names the device, which answers per stream.
     */
    static boolean isTerminal(int fd, boolean consoleFallback) {
        Path link = Path.of("/proc/self/fd/" + fd);
        try {
            if (Files.isSymbolicLink(link)) {
                String target = Files.readSymbolicLink(link).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // fall through
        }
        return consoleFallback;
    }

    /** The client the CLI uses: HTTP/1.1 (what the fleet server speaks), 10 s to connect. */
    public static HttpClient newHttpClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public String var(String name) {
        String v = vars.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    public Path home() {
        return home;
    }

    public BufferedReader in() {
        return in;
    }

    public PrintWriter out() {
        return out;
    }

    public PrintWriter err() {
        return err;
    }

    public boolean stdinTerminal() {
        return stdinTerminal;
    }

    /** Whether stdout is a terminal that can redraw (not {@code TERM=dumb}). */
    public boolean stdoutTerminal() {
        return stdoutTerminal && !"dumb".equals(var("TERM"));
    }

    public boolean stderrTerminal() {
        return stderrTerminal && !"dumb".equals(var("TERM"));
    }

    public Clock clock() {
        return clock;
    }

    public ZoneId zone() {
        return zone;
    }

    public void sleep(Duration d) throws InterruptedException {
        sleeper.sleep(d);
    }

    /** One HTTP client per run. */
    public synchronized HttpClient http() {
        if (client == null) {
            client = http.get();
        }
        return client;
    }

    /** Asks for a secret on the terminal without echo; null when there is no terminal. */
    public String readSecret(String prompt) {
        return stdinTerminal ? secrets.read(prompt) : null;
    }

    /** Terminal width from {@code COLUMNS}, else 100. */
    public int columns() {
        try {
            String c = var("COLUMNS");
            int n = c == null ? 100 : Integer.parseInt(c.trim());
            return n >= 20 ? n : 100;
        } catch (NumberFormatException e) {
            return 100;
        }
    }
}
