package io.nanofleet.llm;

import java.time.Duration;
import java.util.Optional;

/**
 * One failed HTTP attempt, before the retry loop decides what to do with it. Internal: callers only ever see
 * the {@link LlmException} that wraps the last one.
 */
final class AttemptFailure extends Exception {
    private final LlmException.Reason reason;
    private final int httpStatus;
    private final Duration retryAfter;
    private final boolean partialOutput;

    AttemptFailure(LlmException.Reason reason, String message) {
        this(reason, message, 0, null, false, null);
    }

    AttemptFailure(LlmException.Reason reason, String message, int httpStatus, Duration retryAfter,
                   boolean partialOutput, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.httpStatus = httpStatus;
        this.retryAfter = retryAfter;
        this.partialOutput = partialOutput;
    }

    AttemptFailure withPartialOutput() {
        return new AttemptFailure(reason, getMessage(), httpStatus, retryAfter, true, getCause());
    }

    AttemptFailure withMessage(String message) {
        return new AttemptFailure(reason, message, httpStatus, retryAfter, partialOutput, getCause());
    }

    LlmException.Reason reason() {
        return reason;
    }

    int httpStatus() {
        return httpStatus;
    }

    Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    boolean partialOutput() {
        return partialOutput;
    }
}
