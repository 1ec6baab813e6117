package io.nanofleet.agent.config;

import java.util.List;

/** A configuration that cannot be used; {@link #problems()} lists every bad key, not just the first. */
public final class ConfigException extends Exception {
    private final List<String> problems;

    public ConfigException(String source, List<String> problems) {
        super(source + ": " + problems.size() + " problem(s):\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
