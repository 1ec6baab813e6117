package io.nanofleet.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.llm.LlmException.Reason;
import io.nanofleet.llm.testing.FakeOpenAiServer;
import io.nanofleet.llm.testing.RecordingSleeper;
import io.nanofleet.llm.testing.Reply;
import io.nanofleet.llm.testing.TestClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two fake providers behind one chain, configured the way an operator would: from YAML. */
class ProviderChainTest {
    private static final String CLOUD_KEY = "sk-cloud-5555666677778888SECRET";

    private FakeOpenAiServer cloud;
    private FakeOpenAiServer local;
    private final TestClock clock = new TestClock(Instant.parse("2030-01-02T03:04:05Z"));
    private final RecordingSleeper sleeper = new RecordingSleeper(clock);
    private final List<String> deltas = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        cloud = FakeOpenAiServer.start();
        local = FakeOpenAiServer.start();
    }

    @AfterEach
    void stop() {
        cloud.close();
        local.close();
    }

    private String yaml(int cloudRetries, int failuresBeforeCooldown) {
        return String.join("\n",
                "providers:",
                "  - name: cloud",
                "    base-url: " + cloud.baseUrl(),
                "    model: gpt-cloud",
                "    api-key-env: CLOUD_KEY",
                "    timeout-ms: 5000",
                "    max-retries: " + cloudRetries,
                "  - name: local",
                "    base-url: " + local.baseUrl(),
                "    model: qwen-local",
                "    max-retries: 0",
                "    price-per-1k-input: 0.5",
                "    price-per-1k-output: 1.5",
                "cooldown-ms: 60000",
                "failures-before-cooldown: " + failuresBeforeCooldown,
                "");
    }

    private ProviderChain chain(int cloudRetries, int failuresBeforeCooldown) throws LlmConfigException {
        LlmConfig config = LlmConfig.parse(yaml(cloudRetries, failuresBeforeCooldown), "test.yaml", Map.of("CLOUD_KEY", CLOUD_KEY)::get);
        return ProviderChain.builder(config).sleeper(sleeper).clock(clock)
                .retryPolicy(RetryPolicy.defaults().withJitter(() -> 0.5)).build();
    }

    private static ChatRequest question() {
        return ChatRequest.of("Pump 7 vibrates at 4.2 mm/s. Is that bad?");
    }

    @Test
    void theFirstProviderAnswersWhenItCan() throws Exception {
        cloud.enqueue(Reply.completion("Yes, above 2.8 mm/s.").usage(100, 10));
        ChainResult r = chain(2, 3).complete(question());
        assertEquals("cloud", r.provider());
        assertEquals("gpt-cloud", r.model());
        assertEquals("Yes, above 2.8 mm/s.", r.text());
        assertEquals(1, r.attempts());
        assertEquals(List.of(), r.skipped());
        assertEquals(Optional.of(new Usage(100, 10, 110)), r.usage());
        assertEquals(Optional.empty(), r.cost(), "cloud has no prices configured");
        assertEquals(0, local.requestCount());
        assertEquals("Bearer " + CLOUD_KEY, cloud.lastRequest().header("Authorization"));
    }

    @Test
    void theNextProviderAnswersWhenTheFirstFailsAfterItsRetries() throws Exception {
        cloud.otherwise(Reply.serverError());
        local.enqueue(Reply.completion("Yes.").model("qwen2.5-0.5b-instruct-q8_0").usage(12, 5));
        ChainResult r = chain(2, 3).complete(question());

        assertEquals("local", r.provider());
        assertEquals("qwen2.5-0.5b-instruct-q8_0", r.model());
        assertEquals(1, r.attempts());
        assertEquals(3, cloud.requestCount());
        assertEquals(1, r.skipped().size());
        ProviderFailure f = r.skipped().get(0);
        assertEquals("cloud", f.provider());
        assertEquals(Reason.SERVER_ERROR, f.reason());
        assertEquals(3, f.attempts());
        // 12 * 0.5 / 1000 + 5 * 1.5 / 1000
        assertEquals(Optional.of(new BigDecimal("0.0135")), r.cost());
        assertEquals("qwen-local", local.lastRequest().model());
        assertNull(local.lastRequest().header("Authorization"), "the local provider has no key, and gets none of cloud's");
    }

    @Test
    void whenEveryProviderFailsEachOnesReasonIsListed() throws Exception {
        cloud.enqueue(Reply.quotaExhausted());
        local.enqueue(Reply.badRequest("model 'qwen-local' not found, try pulling it first"));
        LlmException e = assertThrows(LlmException.class, () -> chain(2, 3).complete(question()));

        assertEquals(Reason.ALL_PROVIDERS_FAILED, e.reason());
        assertEquals(List.of(Reason.QUOTA_EXHAUSTED, Reason.BAD_REQUEST), e.failures().stream().map(ProviderFailure::reason).toList());
        assertEquals(List.of("cloud", "local"), e.failures().stream().map(ProviderFailure::provider).toList());
        assertEquals(2, e.attempts());
        assertTrue(e.getMessage().startsWith("all providers failed: cloud: QUOTA_EXHAUSTED after 1 attempt: HTTP 429: You exceeded"), e.getMessage());
        assertTrue(e.getMessage().contains("; local: BAD_REQUEST after 1 attempt: HTTP 400: model 'qwen-local' not found"), e.getMessage());
        assertFalse(e.getMessage().contains(CLOUD_KEY));
        assertEquals(Optional.empty(), e.provider());
    }

    @Test
    void aProviderThatFailedNTimesInARowIsSkippedUntilItsCooldownPasses() throws Exception {
        ProviderChain chain = chain(0, 2);
        cloud.otherwise(Reply.serverError());
        local.otherwise(Reply.completion("from local"));

        assertEquals("local", chain.complete(question()).provider());
        assertEquals(1, chain.status().get(0).consecutiveFailures());
        assertEquals(Optional.empty(), chain.status().get(0).coolingDownUntil());
        assertEquals("local", chain.complete(question()).provider());
        assertEquals(Optional.of(clock.instant().plusSeconds(60)), chain.status().get(0).coolingDownUntil());
        assertEquals(2, cloud.requestCount());

        ChainResult skipped = chain.complete(question());
        assertEquals("local", skipped.provider());
        assertEquals(2, cloud.requestCount(), "cloud is not asked while it cools down");
        assertEquals(Reason.COOLING_DOWN, skipped.skipped().get(0).reason());
        assertEquals(0, skipped.skipped().get(0).attempts());

        clock.advance(Duration.ofSeconds(59));
        chain.complete(question());
        assertEquals(2, cloud.requestCount());

        clock.advance(Duration.ofSeconds(2));
        cloud.otherwise(Reply.completion("cloud is back"));
        ChainResult back = chain.complete(question());
        assertEquals("cloud", back.provider());
        assertEquals(3, cloud.requestCount());
        assertEquals(0, chain.status().get(0).consecutiveFailures());
    }

    @Test
    void oneFailureAfterTheCooldownSendsAProviderStraightBack() throws Exception {
        ProviderChain chain = chain(0, 2);
        cloud.otherwise(Reply.serverError());
        local.otherwise(Reply.completion("from local"));
        chain.complete(question());
        chain.complete(question());
        clock.advance(Duration.ofSeconds(61));
        assertEquals(Optional.empty(), chain.status().get(0).coolingDownUntil());

        chain.complete(question());
        assertEquals(3, cloud.requestCount());
        assertTrue(chain.status().get(0).coolingDownUntil().isPresent(), "still failing: cooling down again after one more failure");
    }

    @Test
    void anExhaustedQuotaStartsTheCooldownAtOnce() throws Exception {
        ProviderChain chain = chain(2, 3);
        cloud.otherwise(Reply.quotaExhausted());
        local.otherwise(Reply.completion("from local"));
        chain.complete(question());
        assertTrue(chain.status().get(0).coolingDownUntil().isPresent());
        chain.complete(question());
        assertEquals(1, cloud.requestCount());
    }

    @Test
    void aBadRequestGoesToTheNextProviderWithoutCoolingTheFirstDown() throws Exception {
        ProviderChain chain = chain(2, 1);
        cloud.enqueue(Reply.badRequest("Invalid schema for function 'read_sensor'"), Reply.completion("cloud again"));
        local.enqueue(Reply.completion("local took it"));
        assertEquals("local", chain.complete(question()).provider());
        assertEquals(Optional.empty(), chain.status().get(0).coolingDownUntil());
        assertEquals(0, chain.status().get(0).consecutiveFailures());
        assertEquals("cloud", chain.complete(question()).provider());
    }

    @Test
    void whenEveryProviderIsCoolingDownNothingIsSent() throws Exception {
        ProviderChain chain = chain(0, 1);
        cloud.otherwise(Reply.serverError());
        local.otherwise(Reply.serverError());
        assertEquals(Reason.ALL_PROVIDERS_FAILED, assertThrows(LlmException.class, () -> chain.complete(question())).reason());
        LlmException e = assertThrows(LlmException.class, () -> chain.complete(question()));
        assertEquals(List.of(Reason.COOLING_DOWN, Reason.COOLING_DOWN), e.failures().stream().map(ProviderFailure::reason).toList());
        assertEquals(0, e.attempts());
        assertEquals(1, cloud.requestCount());
        assertEquals(1, local.requestCount());
    }

    @Test
    void aStreamPassesOnOnlyTheTextOfTheProviderThatFinished() throws Exception {
        cloud.enqueue(Reply.streamOf().delta("The cloud starts to say").cut());
        local.enqueue(Reply.stream("Yes, ", "that is bad."));
        ChainResult r = chain(0, 3).stream(question(), deltas::add);
        assertEquals("local", r.provider());
        assertEquals("Yes, that is bad.", r.text());
        assertEquals(List.of("Yes, ", "that is bad."), deltas);
        assertEquals(Reason.BROKEN_STREAM, r.skipped().get(0).reason());
        assertEquals(Optional.of(new Usage(12, 2, 14)), r.usage());
        assertTrue(local.lastRequest().json().path("stream").asBoolean());
    }

    @Test
    void aStreamIsHeldBackWhileALaterProviderCouldStillTakeOver() throws Exception {
        // Cloud's only attempt fails after text; it is not the last chance (local is there), so nothing leaks.
        cloud.enqueue(Reply.stream("never ", "shown").withoutDone());
        local.enqueue(Reply.streamOf().delta("local ").delta("live").cut());
        LlmException e = assertThrows(LlmException.class, () -> chain(0, 3).stream(question(), deltas::add));
        // Local was the last chance and streamed live, so its half answer did reach the caller, and the
        // exception says so instead of pretending nothing happened.
        assertEquals(List.of("local ", "live"), deltas);
        assertEquals(Reason.BROKEN_STREAM, e.reason());
        assertTrue(e.partialOutput());
        assertEquals(Optional.of("local"), e.provider());
    }

    @Test
    void alwaysBufferingPassesNothingOnFromAFailedLastProvider() throws Exception {
        LlmConfig config = LlmConfig.parse(yaml(0, 3) + "stream-buffering: always\n", "test.yaml", Map.of("CLOUD_KEY", CLOUD_KEY)::get);
        ProviderChain chain = ProviderChain.builder(config).sleeper(sleeper).clock(clock).build();
        cloud.enqueue(Reply.serverError());
        local.enqueue(Reply.streamOf().delta("local ").delta("half").cut());
        LlmException e = assertThrows(LlmException.class, () -> chain.stream(question(), deltas::add));
        assertEquals(Reason.ALL_PROVIDERS_FAILED, e.reason());
        assertEquals(List.of(), deltas);
    }

    @Test
    void theChainsToStringNamesProvidersOnly() throws Exception {
        ProviderChain chain = chain(0, 3);
        assertEquals("ProviderChain[cloud, local]", chain.toString());
    }
}
