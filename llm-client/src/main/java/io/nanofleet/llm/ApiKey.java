package io.nanofleet.llm;

/**
 * A provider's API key. It is held here and nowhere else: {@link #toString()} says only whether there is one,
 * and {@link #mask(String)} takes it out of any text a server sends back before that text goes into an
 * exception message. Only {@link ChatClient} reads the value, to put it in the {@code Authorization} header.
 */
public final class ApiKey {
    private static final ApiKey NONE = new ApiKey(null);

    private final String value;

    private ApiKey(String value) {
        this.value = value;
    }

    /** No key: no {@code Authorization} header is sent (local llama.cpp, Ollama, vLLM). */
    public static ApiKey none() {
        return NONE;
    }

    /** @throws IllegalArgumentException for a blank key (an empty variable is a mistake, not "no key") */
    public static ApiKey of(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("an API key cannot be blank (use ApiKey.none() for no key)");
        }
        return new ApiKey(value.strip());
    }

    public boolean isPresent() {
        return value != null;
    }

    String value() {
        return value;
    }

    /** {@code text} with every occurrence of the key replaced by {@code ***}. */
    String mask(String text) {
        return value == null || text == null ? text : text.replace(value, "***");
    }

    @Override
    public String toString() {
        return value == null ? "ApiKey[none]" : "ApiKey[***]";
    }
}
