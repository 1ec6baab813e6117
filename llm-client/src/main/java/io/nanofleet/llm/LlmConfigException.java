package io.nanofleet.llm;

import java.util.List;

/**
 * A providers file that cannot be used. {@link #problems()} lists every problem found, each with its line and
 * key. Values from the file are never repeated in a problem: a key pasted in the wrong place stays out of logs.
 */
public final class LlmConfigException extends Exception {
    private final List<String> problems;

    public LlmConfigException(String source, List<String> problems) {
        super(source + ": " + problems.size() + " problem(s):\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
