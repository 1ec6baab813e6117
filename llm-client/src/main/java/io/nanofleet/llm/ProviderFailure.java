package io.nanofleet.llm;

/**
 * What happened to one provider of a chain that did not answer.
 *
 * @param provider the provider's {@code name}
 * @param reason why it did not answer ({@link LlmException.Reason#COOLING_DOWN} when it was skipped)
 * @param attempts HTTP requests sent to it (0 when skipped)
 * @param message the provider's failure message (key masked), or when its cooldown ends
 */
public record ProviderFailure(String provider, LlmException.Reason reason, int attempts, String message) {
    static ProviderFailure of(LlmException e) {
        return new ProviderFailure(e.provider().orElse("?"), e.reason(), e.attempts(), e.getMessage());
    }

    @Override
    public String toString() {
        return message.startsWith(provider + ":") ? message : provider + ": " + reason + " (" + message + ")";
    }
}
