package io.nanofleet.llm;

import io.nanofleet.llm.LlmException.Reason;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The entry point: asks the configured providers in order until one answers. Each provider's own retries come
 * first ({@link ChatClient}); when it still fails, the next provider is asked.
 *
 * <p>Cooldown: a provider that failed {@code failures-before-cooldown} calls in a row is skipped for
 * {@code cooldown-ms}. When that has passed it is asked again, and one more failure sends it straight back into
 * cooldown (a success clears its count). {@code insufficient_quota} starts the cooldown at once, since quota does
 * not come back within seconds. A {@link Reason#BAD_REQUEST} goes on to the next provider but neither counts nor
 * clears the count: it is most likely the request's fault, and one bad request must not cool down every provider.
 *
 * <p>When no provider answers the call fails with {@link Reason#ALL_PROVIDERS_FAILED}, listing each provider's
 * reason. Thread-safe.
 */
public final class ProviderChain {
    /** What the chain knows about a provider's health right now. */
    public record ProviderStatus(String provider, int consecutiveFailures, Optional<Instant> coolingDownUntil) {
    }

    private static final class Slot {
        final ChatClient client;
        private int consecutiveFailures;
        private Instant coolingDownUntil;

        Slot(ChatClient client) {
            this.client = client;
        }

        String name() {
            return client.provider().name();
        }

        synchronized Instant coolingDownUntil(Instant now) {
            return coolingDownUntil != null && now.isBefore(coolingDownUntil) ? coolingDownUntil : null;
        }

        synchronized void succeeded() {
            consecutiveFailures = 0;
            coolingDownUntil = null;
        }

        synchronized void failed(Reason reason, Instant now, Duration cooldown, int threshold) {
            if (reason == Reason.BAD_REQUEST || reason == Reason.INTERRUPTED) {
                return;
            }
            consecutiveFailures++;
            if (reason == Reason.QUOTA_EXHAUSTED || consecutiveFailures >= threshold) {
                coolingDownUntil = now.plus(cooldown);
            }
        }

        synchronized ProviderStatus status(Instant now) {
            return new ProviderStatus(name(), consecutiveFailures, Optional.ofNullable(coolingDownUntil(now)));
        }
    }

    private final List<Slot> slots;
    private final Duration cooldown;
    private final int failuresBeforeCooldown;
    private final Clock clock;

    private ProviderChain(Builder b) {
        HttpClient http = b.http != null ? b.http : ChatClient.defaultHttpClient();
        StreamBuffering buffering = b.buffering != null ? b.buffering : b.config.streamBuffering();
        List<Slot> s = new ArrayList<>();
        for (ProviderConfig p : b.config.providers()) {
            s.add(new Slot(ChatClient.builder(p).httpClient(http).retryPolicy(b.retry).sleeper(b.sleeper)
                    .clock(b.clock).streamBuffering(buffering).build()));
        }
        this.slots = List.copyOf(s);
        this.cooldown = b.config.cooldown();
        this.failuresBeforeCooldown = b.config.failuresBeforeCooldown();
        this.clock = b.clock;
    }

    /** A chain with default retry policy, real sleeping and the system clock. */
    public static ProviderChain of(LlmConfig config) {
        return builder(config).build();
    }

    public static Builder builder(LlmConfig config) {
        return new Builder(config);
    }

    /** One answer as a single JSON response, from the first provider that gives one. */
    public ChainResult complete(ChatRequest request) throws LlmException {
        return run(request, null);
    }

    /**
     * One answer, streamed, from the first provider that gives one. With the default {@link StreamBuffering},
     * {@code deltas} sees only text of the attempt that succeeds: attempts that a retry or a later provider could
     * still replace are held back until they complete.
     */
    public ChainResult stream(ChatRequest request, Consumer<String> deltas) throws LlmException {
        return run(request, Objects.requireNonNull(deltas, "deltas"));
    }

    private ChainResult run(ChatRequest request, Consumer<String> deltas) throws LlmException {
        Objects.requireNonNull(request, "request");
        List<ProviderFailure> failures = new ArrayList<>();
        LlmException last = null;
        for (int i = 0; i < slots.size(); i++) {
            Slot slot = slots.get(i);
            Instant until = slot.coolingDownUntil(clock.instant());
            if (until != null) {
                failures.add(new ProviderFailure(slot.name(), Reason.COOLING_DOWN, 0, "cooling down until " + until));
                continue;
            }
            try {
                ChatClient.Outcome o = slot.client.call(request, deltas, anyAvailableAfter(i));
                slot.succeeded();
                ChatResponse r = o.response();
                return new ChainResult(slot.name(), r.model(), r, o.attempts(), failures,
                        r.usage().flatMap(u -> slot.client.provider().cost(u)));
            } catch (LlmException e) {
                slot.failed(e.reason(), clock.instant(), cooldown, failuresBeforeCooldown);
                // Nobody else may take over once the caller has seen part of this answer, or was interrupted.
                if (e.partialOutput() || e.reason() == Reason.INTERRUPTED) {
                    throw e;
                }
                failures.add(ProviderFailure.of(e));
                last = e;
            }
        }
        throw LlmException.allFailed(failures, last);
    }

    private boolean anyAvailableAfter(int index) {
        Instant now = clock.instant();
        for (int j = index + 1; j < slots.size(); j++) {
            if (slots.get(j).coolingDownUntil(now) == null) {
                return true;
            }
        }
        return false;
    }

    /** Each provider's health, in chain order. */
    public List<ProviderStatus> status() {
        Instant now = clock.instant();
        List<ProviderStatus> out = new ArrayList<>();
        for (Slot s : slots) {
            out.add(s.status(now));
        }
        return out;
    }

    @Override
    public String toString() {
        List<String> names = new ArrayList<>();
        slots.forEach(s -> names.add(s.name()));
        return "ProviderChain" + names;
    }

    public static final class Builder {
        private final LlmConfig config;
        private HttpClient http;
        private RetryPolicy retry = RetryPolicy.defaults();
        private Sleeper sleeper = Sleeper.SYSTEM;
        private Clock clock = Clock.systemUTC();
        private StreamBuffering buffering;

        private Builder(LlmConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** Shared by every provider; default: one HTTP/1.1 client for the chain. */
        public Builder httpClient(HttpClient http) {
            this.http = Objects.requireNonNull(http, "http");
            return this;
        }

        public Builder retryPolicy(RetryPolicy retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /** Read for cooldowns and {@code Retry-After} dates. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Overrides the configuration's {@code stream-buffering}. */
        public Builder streamBuffering(StreamBuffering buffering) {
            this.buffering = Objects.requireNonNull(buffering, "buffering");
            return this;
        }

        public ProviderChain build() {
            return new ProviderChain(this);
        }
    }
}
