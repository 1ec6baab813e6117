package io.nanofleet.llm;

import java.util.List;
import java.util.Optional;

/**
 * One answer from one provider (the first choice: requests never ask for more).
 *
 * @param text the answer's text, empty (never null) when the model only called tools
 * @param toolCalls the calls the model asked for, in order
 * @param finishReason {@code stop}, {@code length}, {@code tool_calls}, {@code content_filter}..., or null
 *                     when the provider did not say
 * @param model the model that answered as the provider named it (often more precise than the configured one)
 * @param usage token counts, when the provider reported them
 */
public record ChatResponse(String text, List<ToolCall> toolCalls, String finishReason, String model,
                           Optional<Usage> usage) {
    public ChatResponse {
        text = text == null ? "" : text;
        toolCalls = List.copyOf(toolCalls);
    }

    public boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }

    /** This answer as the assistant turn of the conversation, to send back with the tool results. */
    public ChatMessage assistantMessage() {
        return toolCalls.isEmpty() ? ChatMessage.assistant(text)
                : ChatMessage.assistant(text.isEmpty() ? null : text, toolCalls);
    }

    @Override
    public String toString() {
        return "ChatResponse[model=" + model + ", finish=" + finishReason + ", " + text.length() + " chars, "
                + toolCalls.size() + " tool call(s), usage=" + usage.map(Usage::toString).orElse("unknown") + "]";
    }
}
