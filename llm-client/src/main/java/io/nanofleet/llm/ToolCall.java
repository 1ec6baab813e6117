package io.nanofleet.llm;

import java.util.Objects;

/**
 * A function call the model asked for. {@link #arguments()} is the JSON text exactly as the model produced it:
 * models do emit invalid JSON, and what to do about it belongs to the code that runs the tool.
 *
 * @param id the call's id, echoed back in {@link ChatMessage#tool(String, String)}
 * @param name the {@link Tool#name()} to call
 * @param arguments the arguments as JSON text ({@code "{}"} when the model sent none)
 */
public record ToolCall(String id, String name, String arguments) {
    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        arguments = arguments == null || arguments.isEmpty() ? "{}" : arguments;
    }
}
