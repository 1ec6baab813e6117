package io.nanofleet.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanofleet.llm.LlmException.Reason;
import io.nanofleet.llm.testing.FakeOpenAiServer;
import io.nanofleet.llm.testing.RecordingSleeper;
import io.nanofleet.llm.testing.Reply;
import io.nanofleet.llm.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One provider against {@link FakeOpenAiServer}: the wire format, and what each kind of failure does. */
class ChatClientTest {
    private static final String KEY = "sk-test-0123456789abcdefSECRET";
    private static final Instant T0 = Instant.parse("2030-01-02T03:04:05Z");

    private FakeOpenAiServer fake;
    private final TestClock clock = new TestClock(T0);
    private final RecordingSleeper sleeper = new RecordingSleeper();
    private final List<String> deltas = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        fake = FakeOpenAiServer.start();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    private ProviderConfig.Builder provider() {
        return ProviderConfig.builder("fake", fake.baseUrl(), "gpt-test").apiKey(ApiKey.of(KEY)).apiKeyEnv("FAKE_KEY")
                .timeout(Duration.ofSeconds(5));
    }

    private ChatClient client(int maxRetries) {
        return client(provider().maxRetries(maxRetries).build(), StreamBuffering.UNTIL_LAST_ATTEMPT);
    }

    private ChatClient client(ProviderConfig p, StreamBuffering buffering) {
        return ChatClient.builder(p).sleeper(sleeper).clock(clock).streamBuffering(buffering)
                .retryPolicy(RetryPolicy.defaults().withJitter(() -> 0.5)).build();
    }

    private static ChatRequest hello() {
        return ChatRequest.builder().message(ChatMessage.system("You answer operators of pumps."))
                .message(ChatMessage.user("Why is pump 7 loud?")).build();
    }

    private LlmException fails(ChatClient c, boolean stream) {
        return assertThrows(LlmException.class, () -> {
            if (stream) {
                c.stream(hello(), deltas::add);
            } else {
                c.complete(hello());
            }
        });
    }

    @Test
    void completeSendsAnOpenAiRequestAndReadsTheAnswer() throws Exception {
        fake.enqueue(Reply.completion("Cavitation, most likely.").model("gpt-test-2030-01-01").usage(40, 6));
        ChatResponse r = client(0).complete(ChatRequest.builder().messages(hello().messages()).temperature(0.2).maxTokens(64).build());

        assertEquals("Cavitation, most likely.", r.text());
        assertEquals("stop", r.finishReason());
        assertEquals("gpt-test-2030-01-01", r.model());
        assertEquals(Optional.of(new Usage(40, 6, 46)), r.usage());
        assertFalse(r.hasToolCalls());

        FakeOpenAiServer.Received got = fake.lastRequest();
        assertEquals("POST", got.method());
        assertEquals("/v1/chat/completions", got.path());
        assertEquals("Bearer " + KEY, got.header("Authorization"));
        assertTrue(got.header("Content-Type").startsWith("application/json"));
        JsonNode body = got.json();
        assertEquals("gpt-test", body.path("model").asText());
        assertFalse(body.path("stream").asBoolean(true));
        assertTrue(body.path("stream_options").isMissingNode());
        assertEquals(2, body.path("messages").size());
        assertEquals("system", body.path("messages").path(0).path("role").asText());
        assertEquals("user", body.path("messages").path(1).path("role").asText());
        assertEquals("Why is pump 7 loud?", body.path("messages").path(1).path("content").asText());
        assertEquals(0.2, body.path("temperature").asDouble());
        assertEquals(64, body.path("max_tokens").asInt());
        assertTrue(body.path("tools").isMissingNode());
    }

    @Test
    void withoutAKeyNoAuthorizationHeaderIsSent() throws Exception {
        fake.enqueue(Reply.completion("local answer"));
        ProviderConfig local = ProviderConfig.builder("llama", fake.baseUrl() + "/", "qwen2.5:0.5b").build();
        assertEquals("local answer", client(local, StreamBuffering.UNTIL_LAST_ATTEMPT).complete(hello()).text());
        assertNull(fake.lastRequest().header("Authorization"));
        assertEquals("/v1/chat/completions", fake.lastRequest().path(), "a trailing slash in base-url is dropped");
    }

    @Test
    void streamPassesDeltasOnAndReturnsTheWholeAnswer() throws Exception {
        fake.enqueue(Reply.streamOf().comment("OPENROUTER PROCESSING").delta("Cavi").delta("tation").delta(", likely.")
                .finish("stop").usage(40, 3));
        ChatResponse r = client(0).stream(hello(), deltas::add);

        assertEquals(List.of("Cavi", "tation", ", likely."), deltas);
        assertEquals("Cavitation, likely.", r.text());
        assertEquals("stop", r.finishReason());
        assertEquals("gpt-test", r.model());
        assertEquals(Optional.of(new Usage(40, 3, 43)), r.usage());
        JsonNode body = fake.lastRequest().json();
        assertTrue(body.path("stream").asBoolean());
        assertTrue(body.path("stream_options").path("include_usage").asBoolean());
        assertEquals("text/event-stream", fake.lastRequest().header("Accept"));
        assertEquals("Bearer " + KEY, fake.lastRequest().header("Authorization"));
    }

    @Test
    void aServerThatAnswersAStreamRequestWithJsonStillGivesTheAnswer() throws Exception {
        fake.enqueue(Reply.completion("all at once"));
        ChatResponse r = client(0).stream(hello(), deltas::add);
        assertEquals("all at once", r.text());
        assertEquals(List.of("all at once"), deltas);
    }

    @Test
    void toolsGoOutAndToolCallsComeBackForTheLoop() throws Exception {
        Tool temp = Tool.function("read_sensor", "Latest reading of one sensor of a device",
                "{\"type\":\"object\",\"properties\":{\"device\":{\"type\":\"string\"},\"sensor\":{\"type\":\"string\"}},"
                        + "\"required\":[\"device\",\"sensor\"]}");
        fake.enqueue(Reply.completion(null).toolCall("call_1", "read_sensor", "{\"device\":\"pump-7\",\"sensor\":\"vibration\"}"),
                Reply.completion("Vibration is 4.2 mm/s, above the 2.8 limit."));
        ChatClient c = client(0);
        ChatRequest first = ChatRequest.builder().message(ChatMessage.user("Is pump 7 vibrating?")).tool(temp).toolChoice("auto").build();
        ChatResponse r = c.complete(first);

        assertEquals("tool_calls", r.finishReason());
        assertEquals(List.of(new ToolCall("call_1", "read_sensor", "{\"device\":\"pump-7\",\"sensor\":\"vibration\"}")), r.toolCalls());
        assertEquals("", r.text());
        JsonNode sent = fake.lastRequest().json();
        assertEquals("auto", sent.path("tool_choice").asText());
        JsonNode fn = sent.path("tools").path(0);
        assertEquals("function", fn.path("type").asText());
        assertEquals("read_sensor", fn.path("function").path("name").asText());
        assertEquals("Latest reading of one sensor of a device", fn.path("function").path("description").asText());
        assertEquals("object", fn.path("function").path("parameters").path("type").asText());
        assertEquals("device", fn.path("function").path("parameters").path("required").path(0).asText());

        ChatRequest second = ChatRequest.builder().messages(first.messages()).message(r.assistantMessage())
                .message(ChatMessage.tool("call_1", "{\"value\":4.2,\"unit\":\"mm/s\"}")).tool(temp).build();
        assertEquals("Vibration is 4.2 mm/s, above the 2.8 limit.", c.complete(second).text());
        JsonNode messages = fake.lastRequest().json().path("messages");
        assertEquals(3, messages.size());
        JsonNode assistant = messages.path(1);
        assertEquals("assistant", assistant.path("role").asText());
        assertTrue(assistant.path("content").isNull());
        assertEquals("call_1", assistant.path("tool_calls").path(0).path("id").asText());
        assertEquals("function", assistant.path("tool_calls").path(0).path("type").asText());
        assertEquals("read_sensor", assistant.path("tool_calls").path(0).path("function").path("name").asText());
        assertEquals("{\"device\":\"pump-7\",\"sensor\":\"vibration\"}",
                assistant.path("tool_calls").path(0).path("function").path("arguments").asText());
        JsonNode tool = messages.path(2);
        assertEquals("tool", tool.path("role").asText());
        assertEquals("call_1", tool.path("tool_call_id").asText());
        assertEquals("{\"value\":4.2,\"unit\":\"mm/s\"}", tool.path("content").asText());
    }

    @Test
    void streamedToolCallFragmentsAreJoined() throws Exception {
        fake.enqueue(Reply.streamOf()
                .toolCallDelta(0, "call_a", "read_sensor", "").toolCallDelta(0, null, null, "{\"device\":\"pu")
                .toolCallDelta(0, null, null, "mp-7\"}")
                .toolCallDelta(1, "call_b", "read_sensor", "{\"device\":\"pump-8\"}")
                .finish("tool_calls").usage(50, 20));
        ChatResponse r = client(0).stream(hello(), deltas::add);
        assertEquals(List.of(new ToolCall("call_a", "read_sensor", "{\"device\":\"pump-7\"}"),
                new ToolCall("call_b", "read_sensor", "{\"device\":\"pump-8\"}")), r.toolCalls());
        assertEquals("tool_calls", r.finishReason());
        assertEquals(List.of(), deltas, "tool calls are not text deltas");
    }

    @Test
    void rateLimitWaitsRetryAfterSeconds() throws Exception {
        fake.enqueue(Reply.rateLimited().retryAfter("2"), Reply.completion("ok"));
        assertEquals("ok", client(2).complete(hello()).text());
        assertEquals(List.of(Duration.ofSeconds(2)), sleeper.waits());
        assertEquals(2, fake.requestCount());
    }

    @Test
    void retryAfterMsIsPreferredToRetryAfter() throws Exception {
        fake.enqueue(Reply.rateLimited().retryAfterMs("250").retryAfter("3"), Reply.completion("ok"));
        client(2).complete(hello());
        assertEquals(List.of(Duration.ofMillis(250)), sleeper.waits());
    }

    @Test
    void retryAfterAsAnHttpDateIsReadAgainstTheClock() throws Exception {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(T0.plusSeconds(7).atOffset(ZoneOffset.UTC));
        fake.enqueue(Reply.status(503).retryAfter(date).errorBody("overloaded", "server_error", null), Reply.completion("ok"));
        client(1).complete(hello());
        assertEquals(List.of(Duration.ofSeconds(7)), sleeper.waits());
    }

    @Test
    void aRetryAfterLongerThanWeWaitFailsOverAtOnce() {
        fake.enqueue(Reply.rateLimited().retryAfter("120"), Reply.completion("too late"));
        LlmException e = fails(client(3), false);
        assertEquals(Reason.RATE_LIMITED, e.reason());
        assertEquals(1, e.attempts());
        assertEquals(429, e.httpStatus());
        assertEquals(List.of(), sleeper.waits());
        assertTrue(e.getMessage().contains("asked to wait 120000 ms"), e.getMessage());
    }

    @Test
    void insufficientQuotaIsNeverRetried() {
        fake.enqueue(Reply.quotaExhausted(), Reply.completion("never asked"));
        LlmException e = fails(client(3), false);
        assertEquals(Reason.QUOTA_EXHAUSTED, e.reason());
        assertEquals(1, e.attempts());
        assertEquals(1, fake.requestCount());
        assertTrue(e.getMessage().contains("You exceeded your current quota"), e.getMessage());
        assertEquals(Optional.of("fake"), e.provider());
    }

    @Test
    void quotaNamedOnlyByTheErrorTypeCountsToo() {
        fake.enqueue(Reply.status(429).errorBody("You exceeded your current quota", "insufficient_quota", null));
        assertEquals(Reason.QUOTA_EXHAUSTED, fails(client(3), false).reason());
        assertEquals(1, fake.requestCount());
    }

    @Test
    void serverErrorsAreRetriedWithExponentialFullJitterBackoff() {
        fake.otherwise(Reply.serverError());
        LlmException e = fails(client(3), false);
        assertEquals(Reason.SERVER_ERROR, e.reason());
        assertEquals(4, e.attempts());
        assertEquals(4, fake.requestCount());
        assertEquals(500, e.httpStatus());
        // Jitter pinned at 0.5: half of 500, 1000, 2000 ms.
        assertEquals(List.of(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofMillis(1000)), sleeper.waits());
        assertTrue(e.getMessage().startsWith("fake: SERVER_ERROR after 4 attempts: HTTP 500: The server had an error"), e.getMessage());
    }

    @Test
    void aServerErrorThenAnAnswerIsAnAnswer() throws Exception {
        fake.enqueue(Reply.status(502).body("<html>Bad gateway</html>"), Reply.completion("ok"));
        assertEquals("ok", client(1).complete(hello()).text());
        assertEquals(2, fake.requestCount());
    }

    @Test
    void badRequestIsNotRetried() {
        fake.enqueue(Reply.badRequest("This model's maximum context length is 8192 tokens."));
        LlmException e = fails(client(3), false);
        assertEquals(Reason.BAD_REQUEST, e.reason());
        assertEquals(1, fake.requestCount());
        assertTrue(e.getMessage().contains("maximum context length"), e.getMessage());
    }

    @Test
    void unauthorizedIsNotRetried() {
        fake.enqueue(Reply.unauthorized());
        assertEquals(Reason.UNAUTHORIZED, fails(client(3), false).reason());
        assertEquals(1, fake.requestCount());
    }

    @Test
    void aSlowResponseTimesOutAndIsRetried() {
        fake.otherwise(Reply.delayed(Duration.ofSeconds(3), Reply.completion("too late")));
        long start = System.nanoTime();
        LlmException e = fails(client(provider().timeout(Duration.ofMillis(300)).maxRetries(1).build(), StreamBuffering.UNTIL_LAST_ATTEMPT), false);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(Reason.TIMEOUT, e.reason());
        assertEquals(2, e.attempts());
        assertTrue(millis < 2500, "gave up after " + millis + " ms, not after the server's 3 s");
    }

    @Test
    void aStreamThatGoesSilentTimesOut() {
        fake.enqueue(Reply.streamOf().delta("Cavi").pause(Duration.ofSeconds(3)).delta("tation"));
        LlmException e = fails(client(provider().timeout(Duration.ofMillis(400)).maxRetries(0).build(), StreamBuffering.ALWAYS), true);
        assertEquals(Reason.TIMEOUT, e.reason());
        assertTrue(e.getMessage().contains("stream silent for 400 ms"), e.getMessage());
        assertEquals(List.of(), deltas);
    }

    @Test
    void aLongStreamWithSteadyChunksOutlivesTheTimeout() throws Exception {
        Reply.Stream s = Reply.streamOf();
        for (int i = 0; i < 6; i++) {
            s.delta("w" + i + " ").pause(Duration.ofMillis(150));
        }
        fake.enqueue(s.finish("stop").usage(1, 6));
        ChatResponse r = client(provider().timeout(Duration.ofMillis(500)).maxRetries(0).build(), StreamBuffering.UNTIL_LAST_ATTEMPT)
                .stream(hello(), deltas::add);
        assertEquals("w0 w1 w2 w3 w4 w5 ", r.text());
    }

    @Test
    void aCutStreamIsRetriedAndNoByteOfItIsPassedOn() throws Exception {
        fake.enqueue(Reply.streamOf().delta("Half an ans").cut(), Reply.stream("A whole ", "answer."));
        ChatResponse r = client(1).stream(hello(), deltas::add);
        assertEquals("A whole answer.", r.text());
        assertEquals(List.of("A whole ", "answer."), deltas);
        assertEquals(2, fake.requestCount());
        assertEquals(1, sleeper.waits().size());
    }

    @Test
    void aCutStreamOnTheLastAttemptIsBrokenAfterStreamingLive() {
        fake.enqueue(Reply.streamOf().delta("Half an ans").cut());
        LlmException e = fails(client(0), true);
        assertEquals(Reason.BROKEN_STREAM, e.reason());
        assertTrue(e.getMessage().contains("stream cut off"), e.getMessage());
        assertEquals(List.of("Half an ans"), deltas, "the last possible attempt streams live");
        assertTrue(e.partialOutput());
    }

    @Test
    void aStreamWithoutDoneIsBroken() {
        fake.enqueue(Reply.stream("Looks ", "complete.").withoutDone());
        LlmException e = fails(client(provider().maxRetries(0).build(), StreamBuffering.ALWAYS), true);
        assertEquals(Reason.BROKEN_STREAM, e.reason());
        assertTrue(e.getMessage().contains("without data: [DONE]"), e.getMessage());
        assertEquals(List.of(), deltas);
        assertFalse(e.partialOutput());
    }

    @Test
    void aCutJsonBodyIsBroken() {
        fake.enqueue((exchange, request) -> {
            exchange.sendResponseHeaders(200, 500);
            exchange.getResponseBody().write("{\"choices\":[{\"message\":{\"content\":\"Half".getBytes());
            exchange.getResponseBody().flush();
            throw new Reply.Cut();
        });
        assertEquals(Reason.BROKEN_STREAM, fails(client(0), false).reason());
    }

    @Test
    void a200WithAnErrorBodyIsAFailureAndRetried() throws Exception {
        fake.enqueue(Reply.errorIn200("upstream provider returned 502"), Reply.completion("second time lucky"));
        assertEquals("second time lucky", client(1).complete(hello()).text());
        assertEquals(2, fake.requestCount());

        fake.enqueue(Reply.errorIn200("upstream provider returned 502"));
        LlmException e = fails(client(0), false);
        assertEquals(Reason.ERROR_BODY, e.reason());
        assertTrue(e.getMessage().contains("upstream provider returned 502"), e.getMessage());
    }

    @Test
    void anSseErrorEventIsAFailure() {
        fake.enqueue(Reply.streamOf().delta("Cavi").errorEvent("{\"error\":{\"message\":\"model overloaded\",\"type\":\"server_error\"}}"));
        LlmException e = fails(client(provider().maxRetries(0).build(), StreamBuffering.ALWAYS), true);
        assertEquals(Reason.ERROR_BODY, e.reason());
        assertTrue(e.getMessage().contains("model overloaded"), e.getMessage());
        assertEquals(List.of(), deltas);
    }

    @Test
    void aDataErrorChunkIsAFailure() {
        fake.enqueue(Reply.streamOf().delta("Cavi").dataError("upstream timed out", "server_error", "502"));
        LlmException e = fails(client(provider().maxRetries(0).build(), StreamBuffering.ALWAYS), true);
        assertEquals(Reason.ERROR_BODY, e.reason());
        assertTrue(e.getMessage().contains("upstream timed out"), e.getMessage());
    }

    @Test
    void aQuotaErrorInsideAStreamIsNotRetried() {
        fake.enqueue(Reply.streamOf().dataError("You exceeded your current quota", "insufficient_quota", "insufficient_quota"));
        LlmException e = fails(client(3), true);
        assertEquals(Reason.QUOTA_EXHAUSTED, e.reason());
        assertEquals(1, fake.requestCount());
    }

    @Test
    void withoutBufferingAFailureAfterTextWasPassedOnIsFinal() {
        fake.enqueue(Reply.streamOf().delta("Half an ans").cut(), Reply.stream("never asked"));
        LlmException e = fails(client(provider().maxRetries(2).build(), StreamBuffering.NEVER), true);
        assertEquals(Reason.BROKEN_STREAM, e.reason());
        assertTrue(e.partialOutput());
        assertEquals(1, fake.requestCount());
        assertEquals(List.of("Half an ans"), deltas);
        assertTrue(e.getMessage().contains("after part of the answer had been passed on"), e.getMessage());
    }

    @Test
    void aRefusedConnectionIsRetriedThenReported() throws Exception {
        FakeOpenAiServer gone = FakeOpenAiServer.start();
        String url = gone.baseUrl();
        gone.close();
        ChatClient c = client(ProviderConfig.builder("gone", url, "m").maxRetries(1).build(), StreamBuffering.UNTIL_LAST_ATTEMPT);
        LlmException e = fails(c, false);
        assertEquals(Reason.CONNECTION_FAILED, e.reason());
        assertEquals(2, e.attempts());
        assertEquals(0, e.httpStatus());
    }

    @Test
    void theKeyNeverShowsInMessagesOrToString() {
        fake.enqueue(Reply.status(401).errorBody("Incorrect API key provided: " + KEY + ".", "invalid_request_error", "invalid_api_key"),
                Reply.streamOf().errorEvent("{\"error\":{\"message\":\"bad key " + KEY + "\"}}"));
        ChatClient c = client(provider().maxRetries(0).build(), StreamBuffering.ALWAYS);
        LlmException e = fails(c, false);
        assertFalse(e.getMessage().contains(KEY), e.getMessage());
        assertTrue(e.getMessage().contains("Incorrect API key provided: ***"), e.getMessage());
        LlmException s = fails(c, true);
        assertFalse(s.getMessage().contains(KEY), s.getMessage());
        assertTrue(s.getMessage().contains("bad key ***"), s.getMessage());
        for (Object o : List.of(c, c.provider(), c.provider().apiKey())) {
            assertFalse(o.toString().contains(KEY), o.toString());
            assertFalse(o.toString().contains("SECRET"), o.toString());
        }
        assertTrue(c.provider().toString().contains("from $FAKE_KEY"), c.provider().toString());
    }

    @Test
    void anInterruptedWaitStopsTheCallAndKeepsTheFlag() {
        fake.otherwise(Reply.serverError());
        ChatClient c = ChatClient.builder(provider().maxRetries(3).build()).sleeper(d -> {
            throw new InterruptedException();
        }).build();
        LlmException e = assertThrows(LlmException.class, () -> c.complete(hello()));
        assertEquals(Reason.INTERRUPTED, e.reason());
        assertTrue(Thread.interrupted(), "interrupt flag set again (and cleared here)");
        assertEquals(1, fake.requestCount());
    }

    @Test
    void aConsumerThatThrowsStopsTheStreamWithItsOwnException() {
        fake.enqueue(Reply.stream("one", "two"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> client(0).stream(hello(), d -> {
            throw new IllegalStateException("device went away");
        }));
        assertEquals("device went away", e.getMessage());
    }
}
