package io.nanofleet.cli.operator;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/** A fake process environment for running the CLI in-process: variables, home, stdin text, terminal flags, captured output. */
public final class TestEnv {
    /** One run's exit code and output. */
    public record Run(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static final HttpClient HTTP = Env.newHttpClient();

    final Map<String, String> vars = new HashMap<>();
    Path home;
    String stdin = "";
    boolean stdinTerminal;
    boolean stdoutTerminal;
    boolean stderrTerminal;
    Clock clock = Clock.systemUTC();
    Env.SecretReader secrets = prompt -> null;

    public TestEnv(Path home) {
        this.home = home;
    }

    public TestEnv var(String k, String v) {
        vars.put(k, v);
        return this;
    }

    public TestEnv stdin(String s, boolean terminal) {
        stdin = s;
        stdinTerminal = terminal;
        return this;
    }

    public TestEnv terminals(boolean stdout, boolean stderr) {
        stdoutTerminal = stdout;
        stderrTerminal = stderr;
        return this;
    }

    public Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Env env = new Env(vars, home, new BufferedReader(new StringReader(stdin)), new PrintWriter(out, true), new PrintWriter(err, true),
                stdinTerminal, stdoutTerminal, stderrTerminal, clock, ZoneOffset.UTC, d -> Thread.sleep(Math.min(d.toMillis(), 1000)),
                () -> HTTP, secrets);
        int code = Nanofleet.run(env, args);
        return new Run(code, out.toString(), err.toString());
    }

    static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }
}
