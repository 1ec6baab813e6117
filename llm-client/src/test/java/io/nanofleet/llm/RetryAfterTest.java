package io.nanofleet.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
    private static final Instant NOW = Instant.parse("2030-01-02T03:04:05Z");

    private static Optional<Duration> of(Map<String, List<String>> headers) {
        return RetryAfter.from(HttpHeaders.of(headers, (k, v) -> true), NOW);
    }

    @Test
    void secondsDecimalSecondsAndMilliseconds() {
        assertEquals(Optional.of(Duration.ofSeconds(20)), of(Map.of("Retry-After", List.of("20"))));
        assertEquals(Optional.of(Duration.ofMillis(1500)), of(Map.of("retry-after", List.of(" 1.5 "))));
        assertEquals(Optional.of(Duration.ofMillis(37)), of(Map.of("retry-after-ms", List.of("37"), "retry-after", List.of("1"))));
        assertEquals(Optional.of(Duration.ofMillis(12)), of(Map.of("Retry-After-Ms", List.of("12.9"))));
    }

    @Test
    void anHttpDateCountsFromNowAndThePastIsNow() {
        assertEquals(Optional.of(Duration.ofSeconds(55)), of(Map.of("Retry-After", List.of("Wed, 02 Jan 2030 03:05:00 GMT"))));
        assertEquals(Optional.of(Duration.ZERO), of(Map.of("Retry-After", List.of("Tue, 01 Jan 2030 00:00:00 GMT"))));
    }

    @Test
    void whatCannotBeReadIsAbsent() {
        assertEquals(Optional.empty(), of(Map.of()));
        assertEquals(Optional.empty(), of(Map.of("Retry-After", List.of("soon"))));
        assertEquals(Optional.empty(), of(Map.of("Retry-After", List.of("-5"))));
        assertEquals(Optional.empty(), of(Map.of("retry-after-ms", List.of("1e400"), "x", List.of("y"))));
        assertEquals(Optional.of(Duration.ofSeconds(2)), of(Map.of("retry-after-ms", List.of("lots"), "Retry-After", List.of("2"))),
                "an unreadable retry-after-ms falls back to Retry-After");
    }
}
