package io.nanofleet.llm;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What to ask, independent of the provider: the model name comes from each provider's configuration, so one
 * request can go down a whole {@link ProviderChain}. Immutable; build with {@link #builder()}.
 */
public final class ChatRequest {
    private final List<ChatMessage> messages;
    private final List<Tool> tools;
    private final String toolChoice;
    private final Double temperature;
    private final Integer maxTokens;

    private ChatRequest(Builder b) {
        this.messages = List.copyOf(b.messages);
        this.tools = List.copyOf(b.tools);
        this.toolChoice = b.toolChoice;
        this.temperature = b.temperature;
        this.maxTokens = b.maxTokens;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A single user message. */
    public static ChatRequest of(String userMessage) {
        return builder().message(ChatMessage.user(userMessage)).build();
    }

    public List<ChatMessage> messages() {
        return messages;
    }

    public List<Tool> tools() {
        return tools;
    }

    /** {@code auto}, {@code none} or {@code required}; empty to leave it to the provider. */
    public Optional<String> toolChoice() {
        return Optional.ofNullable(toolChoice);
    }

    public Optional<Double> temperature() {
        return Optional.ofNullable(temperature);
    }

    /** Sent as {@code max_tokens}, which OpenAI, OpenRouter, llama.cpp, Ollama and vLLM all read. */
    public Optional<Integer> maxTokens() {
        return Optional.ofNullable(maxTokens);
    }

    public static final class Builder {
        private final List<ChatMessage> messages = new ArrayList<>();
        private final List<Tool> tools = new ArrayList<>();
        private String toolChoice;
        private Double temperature;
        private Integer maxTokens;

        private Builder() {
        }

        public Builder message(ChatMessage message) {
            messages.add(Objects.requireNonNull(message, "message"));
            return this;
        }

        public Builder messages(List<ChatMessage> all) {
            all.forEach(this::message);
            return this;
        }

        public Builder tool(Tool tool) {
            tools.add(Objects.requireNonNull(tool, "tool"));
            return this;
        }

        public Builder tools(List<Tool> all) {
            all.forEach(this::tool);
            return this;
        }

        public Builder toolChoice(String choice) {
            if (!List.of("auto", "none", "required").contains(choice)) {
                throw new IllegalArgumentException("tool choice is auto, none or required: " + choice);
            }
            this.toolChoice = choice;
            return this;
        }

        public Builder temperature(double t) {
            if (!(t >= 0 && t <= 2)) {
                throw new IllegalArgumentException("temperature is between 0 and 2: " + t);
            }
            this.temperature = t;
            return this;
        }

        public Builder maxTokens(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("max tokens must be at least 1: " + n);
            }
            this.maxTokens = n;
            return this;
        }

        /** @throws IllegalStateException without any message, or with a tool choice but no tool */
        public ChatRequest build() {
            if (messages.isEmpty()) {
                throw new IllegalStateException("a chat request needs at least one message");
            }
            if (toolChoice != null && !toolChoice.equals("none") && tools.isEmpty()) {
                throw new IllegalStateException("tool choice " + toolChoice + " without any tool");
            }
            return new ChatRequest(this);
        }
    }
}
