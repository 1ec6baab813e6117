package io.nanofleet.llm;

import java.util.List;
import java.util.Objects;

/**
 * One message of a conversation. A tool-call loop looks like: {@link #user}, the model's
 * {@link ChatResponse#assistantMessage()} carrying {@link ToolCall}s, one {@link #tool} message per call with
 * its result, then the next request with all of them.
 */
public final class ChatMessage {
    public enum Role {
        SYSTEM, USER, ASSISTANT, TOOL;

        String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Role role;
    private final String content;
    private final List<ToolCall> toolCalls;
    private final String toolCallId;

    private ChatMessage(Role role, String content, List<ToolCall> toolCalls, String toolCallId) {
        this.role = role;
        this.content = content;
        this.toolCalls = List.copyOf(toolCalls);
        this.toolCallId = toolCallId;
    }

    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, Objects.requireNonNull(content, "content"), List.of(), null);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, Objects.requireNonNull(content, "content"), List.of(), null);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, Objects.requireNonNull(content, "content"), List.of(), null);
    }

    /**
     * The model's turn that asked for tool calls, to be sent back with the results.
     *
     * @param content text the model wrote beside the calls, or null
     */
    public static ChatMessage assistant(String content, List<ToolCall> toolCalls) {
        if (toolCalls.isEmpty() && content == null) {
            throw new IllegalArgumentException("an assistant message needs content or tool calls");
        }
        return new ChatMessage(Role.ASSISTANT, content, toolCalls, null);
    }

    /** The result of the call {@code toolCallId} (the {@link ToolCall#id()} the model gave it). */
    public static ChatMessage tool(String toolCallId, String content) {
        return new ChatMessage(Role.TOOL, Objects.requireNonNull(content, "content"), List.of(),
                Objects.requireNonNull(toolCallId, "toolCallId"));
    }

    public Role role() {
        return role;
    }

    /** The text; null only for an assistant message that carries tool calls and nothing else. */
    public String content() {
        return content;
    }

    public List<ToolCall> toolCalls() {
        return toolCalls;
    }

    /** For {@link Role#TOOL} messages; null otherwise. */
    public String toolCallId() {
        return toolCallId;
    }

    @Override
    public String toString() {
        // Content stays out: conversations may carry whatever a device or operator typed.
        return "ChatMessage[" + role.wire() + (toolCalls.isEmpty() ? "" : ", " + toolCalls.size() + " tool call(s)") + "]";
    }
}
