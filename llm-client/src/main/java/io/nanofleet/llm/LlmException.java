package io.nanofleet.llm;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A chat completion that did not produce an answer: one provider's final failure (after its retries), or
 * {@link Reason#ALL_PROVIDERS_FAILED} from a {@link ProviderChain}, whose {@link #failures()} says what happened
 * to each provider.
 *
 * <p>Messages name the provider, the reason, the HTTP status and what the server said (cut to 300 characters),
 * with the provider's API key masked wherever the server echoed it. The client adds nothing of the request to
 * them; a server's own message may quote it.
 */
public final class LlmException extends Exception {
    /** Why a call failed; {@link #retryable()} says whether the same provider is asked again. */
    public enum Reason {
        /** HTTP 429 that is not a quota problem: the provider asks us to slow down. */
        RATE_LIMITED(true),
        /** The account is out of money or quota ({@code insufficient_quota}, HTTP 402): waiting does not help. */
        QUOTA_EXHAUSTED(false),
        /** HTTP 5xx. */
        SERVER_ERROR(true),
        /** No response head within {@code timeout-ms}, a non-streamed answer not complete within it, or a stream silent for it. */
        TIMEOUT(true),
        /** The connection could not be made, or broke before the response head. */
        CONNECTION_FAILED(true),
        /** HTTP 4xx other than 401, 402, 403 and 429 (bad request, unknown model, too long, redirect...): the same request fails again. */
        BAD_REQUEST(false),
        /** HTTP 401 or 403: the key is wrong, missing or not allowed this model. */
        UNAUTHORIZED(false),
        /** The body was cut mid-answer, or a stream ended without {@code data: [DONE]}. */
        BROKEN_STREAM(true),
        /** HTTP 2xx whose body, or one of whose stream events, is an {@code error} object. */
        ERROR_BODY(true),
        /** HTTP 2xx whose body is not a chat completion we can read (not JSON, no choices, too large). */
        BAD_RESPONSE(true),
        /** Skipped by a {@link ProviderChain}: the provider failed too often and its cooldown has not passed. */
        COOLING_DOWN(false),
        /** The calling thread was interrupted; its interrupt flag is set again. */
        INTERRUPTED(false),
        /** Every provider of a {@link ProviderChain} failed or was cooling down; see {@link #failures()}. */
        ALL_PROVIDERS_FAILED(false);

        private final boolean retryable;

        Reason(boolean retryable) {
            this.retryable = retryable;
        }

        /** Whether another attempt on the same provider may succeed (and so is made, within {@code max-retries}). */
        public boolean retryable() {
            return retryable;
        }
    }

    private final Reason reason;
    private final String provider;
    private final int httpStatus;
    private final int attempts;
    private final boolean partialOutput;
    private final List<ProviderFailure> failures;

    /** A failure with no provider behind it, for code that stands in for a chain (tests, stubs). */
    public LlmException(Reason reason, String message) {
        this(reason, null, message, 0, 0, false, List.of(), null);
    }

    LlmException(Reason reason, String provider, String message, int httpStatus, int attempts,
                 boolean partialOutput, List<ProviderFailure> failures, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.provider = provider;
        this.httpStatus = httpStatus;
        this.attempts = attempts;
        this.partialOutput = partialOutput;
        this.failures = List.copyOf(failures);
    }

    /** The provider's final failure after {@code attempts} attempts. */
    static LlmException fromProvider(String provider, AttemptFailure last, int attempts) {
        String message = provider + ": " + last.reason() + " after " + attempts
                + (attempts == 1 ? " attempt: " : " attempts: ") + last.getMessage()
                + (last.partialOutput() ? " (after part of the answer had been passed on)" : "");
        return new LlmException(last.reason(), provider, message, last.httpStatus(), attempts,
                last.partialOutput(), List.of(), last);
    }

    static LlmException allFailed(List<ProviderFailure> failures, Throwable lastCause) {
        String detail = failures.stream().map(ProviderFailure::toString).collect(Collectors.joining("; "));
        return new LlmException(Reason.ALL_PROVIDERS_FAILED, null, "all providers failed: " + detail,
                0, failures.stream().mapToInt(ProviderFailure::attempts).sum(), false, failures, lastCause);
    }

    public Reason reason() {
        return reason;
    }

    /** The provider that failed, empty for {@link Reason#ALL_PROVIDERS_FAILED}. */
    public Optional<String> provider() {
        return Optional.ofNullable(provider);
    }

    /** The HTTP status of the last attempt, 0 when there was none (timeout, connection, broken 200 stream...). */
    public int httpStatus() {
        return httpStatus;
    }

    /** HTTP requests sent (all providers together for {@link Reason#ALL_PROVIDERS_FAILED}). */
    public int attempts() {
        return attempts;
    }

    /**
     * True when streamed text of the failed attempt had already reached the caller's consumer. Only then is a
     * failure neither retried nor passed to the next provider: the caller would see the answer twice.
     */
    public boolean partialOutput() {
        return partialOutput;
    }

    /** Each provider's outcome, in chain order, for {@link Reason#ALL_PROVIDERS_FAILED}; empty otherwise. */
    public List<ProviderFailure> failures() {
        return failures;
    }
}
