package io.nanofleet.cli.operator.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanofleet.cli.operator.ApiClient;
import io.nanofleet.cli.operator.CliException;
import io.nanofleet.cli.operator.Env;
import io.nanofleet.cli.operator.ExitCodes;
import io.nanofleet.cli.operator.Json;
import io.nanofleet.cli.operator.Nanofleet;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command shares: the root's environment, output mode and API client. */
abstract class BaseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    Nanofleet root() {
        return (Nanofleet) spec.root().userObject();
    }

    Env env() {
        return root().env();
    }

    PrintWriter out() {
        return env().out();
    }

    PrintWriter err() {
        return env().err();
    }

    boolean json() {
        return root().json();
    }

    ApiClient api() {
        return root().api();
    }

    long now() {
        return env().clock().millis();
    }

    CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** Prints the API's object as JSON ({@code --output json}). */
    void printJson(JsonNode n) {
        Json.printPretty(out(), n);
    }

    /**
     * Asks "question [y/N]" on the terminal; true only for y/yes. Without a terminal on stdin there is nobody
     * to ask: a usage error (exit 2) that says to add {@code --yes}.
     */
    boolean confirm(String question, String refusal) {
        if (!env().stdinTerminal()) {
            throw new CliException(ExitCodes.USAGE, refusal + " without confirmation: standard input is not a terminal",
                    "add --yes to confirm in a script: " + spec.qualifiedName() + " ... --yes");
        }
        err().print(question + " [y/N] ");
        err().flush();
        String answer;
        try {
            answer = env().in().readLine();
        } catch (IOException e) {
            answer = null;
        }
        String a = answer == null ? "" : answer.trim().toLowerCase(Locale.ROOT);
        return a.equals("y") || a.equals("yes");
    }
}
