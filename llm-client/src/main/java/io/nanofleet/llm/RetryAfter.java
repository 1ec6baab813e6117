package io.nanofleet.llm;

import java.math.BigDecimal;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The wait a server asked for: OpenAI's {@code retry-after-ms} (milliseconds, preferred: it is the more precise
 * of the two), else {@code Retry-After} as delay-seconds or an HTTP date (RFC 9110 10.2.3). A date in the past
 * means "now"; a value we cannot read is treated as absent, so our own backoff applies.
 */
final class RetryAfter {
    private RetryAfter() {
    }

    static Optional<Duration> from(HttpHeaders headers, Instant now) {
        Optional<Duration> ms = headers.firstValue("retry-after-ms").flatMap(v -> number(v, 1));
        if (ms.isPresent()) {
            return ms;
        }
        return headers.firstValue("retry-after").flatMap(v -> parseRetryAfter(v, now));
    }

    static Optional<Duration> parseRetryAfter(String value, Instant now) {
        Optional<Duration> seconds = number(value, 1000);
        if (seconds.isPresent()) {
            return seconds;
        }
        try {
            Instant at = ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration d = Duration.between(now, at);
            return Optional.of(d.isNegative() ? Duration.ZERO : d);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** A non-negative decimal number of units of {@code millisPerUnit} milliseconds. */
    private static Optional<Duration> number(String value, long millisPerUnit) {
        String v = value.strip();
        if (v.isEmpty() || v.length() > 15 || !v.matches("[0-9]+(\\.[0-9]+)?")) {
            return Optional.empty();
        }
        long millis = new BigDecimal(v).multiply(BigDecimal.valueOf(millisPerUnit)).longValue();
        return Optional.of(Duration.ofMillis(millis));
    }
}
