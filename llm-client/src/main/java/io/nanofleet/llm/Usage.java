package io.nanofleet.llm;

/** Token counts as the provider reported them ({@code usage.prompt_tokens} and friends). */
public record Usage(long promptTokens, long completionTokens, long totalTokens) {
    public Usage {
        if (promptTokens < 0 || completionTokens < 0 || totalTokens < 0) {
            throw new IllegalArgumentException("token counts are never negative");
        }
    }
}
