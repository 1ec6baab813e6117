package io.nanofleet.server.ask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.PayloadException;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.Answer;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.MessageKind;
import io.nanofleet.protocols.v1.Query;
import io.nanofleet.server.ingest.AskReply;
import io.nanofleet.server.ingest.DeviceMessage;
import io.nanofleet.server.ingest.Downlinks;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The responder on its own: where an answer may go (the asking device's subtree only, the answers topic by
 * default), the correlation data echoed, and an answer for every query it takes, also when the answerer fails.
 * Publishing goes through the real {@link Downlinks} onto a recording transport.
 */
class AskResponderTest {
    record Published(String topic, byte[] payload, boolean retained, byte[] correlationData) {
        Answer answer() throws PayloadException {
            return Codecs.ANSWER.decode(payload);
        }
    }

    final BlockingQueue<Published> published = new LinkedBlockingQueue<>();
    final AtomicBoolean brokerUp = new AtomicBoolean(true);
    final Downlinks downlinks = new Downlinks(new Downlinks.Transport() {
        @Override
        public void publish(String topic, byte[] payload, boolean retained, byte[] correlationData) throws Exception {
            if (!brokerUp.get()) {
                throw new java.io.IOException("broker unreachable");
            }
            published.add(new Published(topic, payload, retained, correlationData));
        }

        @Override
        public boolean isConnected() {
            return brokerUp.get();
        }

        @Override
        public boolean echoes() {
            return false;
        }
    });
    AskResponder responder;

    AskResponder responder(Answerer answerer) {
        return responder(answerer, AskResponder.DEFAULT_TIMEOUT);
    }

    AskResponder responder(Answerer answerer, Duration timeout) {
        responder = new AskResponder(answerer, () -> 5_000L, 2, 16, timeout).answerThrough(downlinks);
        return responder;
    }

    @AfterEach
    void close() {
        if (responder != null) {
            responder.close();
        }
    }

    static final Answerer ECHO = q -> CompletableFuture.completedFuture(Answer.newBuilder().setOk(true).setText("you said " + q.text())
            .setSource("test").build());

    static DeviceMessage.Ask ask(String deviceId, String queryId, AskReply reply) {
        return new DeviceMessage.Ask(Query.newBuilder().setDeviceId(deviceId).setQueryId(queryId).setText("hello").build(), reply,
                4_000L, DeviceMessage.Delivery.ONLY);
    }

    static AskReply mqtt(String topic, byte[] correlation) {
        return new AskReply.Mqtt(topic, correlation);
    }

    Published next() throws InterruptedException {
        Published p = published.poll(10, TimeUnit.SECONDS);
        assertNotNull(p, "an answer was published");
        return p;
    }

    @Test
    void noResponseTopicAnswersOnTheDevicesAnswersTopicWithTheCorrelationDataEchoed() throws Exception {
        responder(ECHO).onMessage(ask("pump-1", "q-1", mqtt(null, new byte[] {1, 2, 3})));
        Published p = next();
        assertEquals(Topics.answers("pump-1"), p.topic());
        assertArrayEquals(new byte[] {1, 2, 3}, p.correlationData());
        assertFalse(p.retained(), "answers are never retained");
        Answer a = p.answer();
        assertTrue(a.getOk());
        assertEquals("you said hello", a.getText());
        assertEquals("pump-1", a.getDeviceId());
        assertEquals("q-1", a.getQueryId());
        assertEquals(MessageKind.ANSWER, a.getKind());
        assertEquals(1, responder.counters().receivedCount());
        awaitCount(() -> responder.counters().answeredCount(true), 1);
    }

    /** Counters move just after the publish returns. */
    static void awaitCount(java.util.function.LongSupplier counter, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (counter.getAsLong() != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(expected, counter.getAsLong());
    }

    @Test
    void anEmptyResponseTopicAndNoCorrelationDataAlsoAnswerOnTheDefault() throws Exception {
        responder(ECHO).onMessage(ask("pump-1", "q-1", mqtt("", null)));
        Published p = next();
        assertEquals(Topics.answers("pump-1"), p.topic());
        assertNull(p.correlationData());
        responder.onMessage(ask("pump-1", "q-2", AskReply.DEFAULT));
        assertEquals(Topics.answers("pump-1"), next().topic());
    }

    @Test
    void aResponseTopicInTheDevicesOwnSubtreeIsUsed() throws Exception {
        responder(ECHO).onMessage(ask("pump-1", "q-1", mqtt("nf/v1/d/pump-1/answers/console", new byte[] {9})));
        Published p = next();
        assertEquals("nf/v1/d/pump-1/answers/console", p.topic());
        assertArrayEquals(new byte[] {9}, p.correlationData());
        assertEquals(0, responder.counters().refusedTotal());
    }

    @Test
    void responseTopicsOutsideTheDevicesSubtreeOnItsChannelsOrInvalidAreRefusedAndNothingIsPublished() throws Exception {
        responder(ECHO);
        String[][] cases = {
                {Topics.answers("pump-2"), "OUTSIDE_SUBTREE"},        // another device
                {"nf/v1/d/pump-10/answers", "OUTSIDE_SUBTREE"},       // a device whose id starts with pump-1
                {"nf/v1/d/pump-1", "OUTSIDE_SUBTREE"},
                {"$SYS/broker/clients", "OUTSIDE_SUBTREE"},
                {"plant/alarms", "OUTSIDE_SUBTREE"},
                {Topics.cmd("pump-1"), "CHANNEL_TOPIC"},             // its own wire channels carry fixed types
                {Topics.ota("pump-1"), "CHANNEL_TOPIC"},
                {Topics.state("pump-1"), "CHANNEL_TOPIC"},
                {Topics.ask("pump-1"), "CHANNEL_TOPIC"},
                {"nf/v1/d/pump-1/", "INVALID"},
                {"nf/v1/d/pump-1/#", "INVALID"},
                {"nf/v1/d/pump-1/+/x", "INVALID"},
                {"nf/v1/d/pump-1/a\u0000b", "INVALID"},
                {"nf/v1/d/pump-1/" + "x".repeat(ResponseTopics.MAX_LENGTH), "INVALID"},
        };
        for (String[] c : cases) {
            assertEquals(ResponseTopics.Refusal.valueOf(c[1]), ResponseTopics.check("pump-1", c[0]).refusal(), c[0]);
            responder.onMessage(ask("pump-1", "q-bad", mqtt(c[0], new byte[] {1})));
        }
        assertEquals(cases.length, responder.counters().refusedTotal());
        assertEquals(5, responder.counters().refusedCount(ResponseTopics.Refusal.OUTSIDE_SUBTREE));
        assertEquals(4, responder.counters().refusedCount(ResponseTopics.Refusal.CHANNEL_TOPIC));
        // A good query after them is the only thing ever published.
        responder.onMessage(ask("pump-1", "q-good", mqtt(null, null)));
        Published p = next();
        assertEquals("q-good", p.answer().getQueryId());
        assertNull(published.poll(300, TimeUnit.MILLISECONDS), "nothing else was published");
        assertEquals(cases.length + 1, responder.counters().receivedCount());
        awaitCount(() -> responder.counters().answeredCount(true) + responder.counters().answeredCount(false), 1);
    }

    @Test
    void anAnswererThatThrowsFailsOrReturnsNothingGivesAnOkFalseAnswerNeverSilence() throws Exception {
        Answerer[] failing = {
                q -> {
                    throw new IllegalStateException("boom");
                },
                q -> CompletableFuture.failedFuture(new java.sql.SQLException("database gone")),
                q -> CompletableFuture.completedFuture(null),
                q -> null,
        };
        for (Answerer f : failing) {
            responder(f).onMessage(ask("pump-1", "q-1", mqtt(null, new byte[] {4, 2})));
            Published p = next();
            Answer a = p.answer();
            assertFalse(a.getOk());
            assertEquals("the fleet failed to answer this query", a.getError(), "no internals leak to the device");
            assertEquals("fleet", a.getSource());
            assertEquals("q-1", a.getQueryId());
            assertArrayEquals(new byte[] {4, 2}, p.correlationData(), "the device can match the failure to its query");
            awaitCount(() -> responder.counters().answeredCount(false), 1);
            responder.close();
        }
    }

    @Test
    void anAnswererThatNeverCompletesTimesOutIntoAnOkFalseAnswer() throws Exception {
        responder(q -> new CompletableFuture<>(), Duration.ofMillis(200)).onMessage(ask("pump-1", "q-1", mqtt(null, new byte[] {5})));
        Answer a = next().answer();
        assertFalse(a.getOk());
        assertTrue(a.getError().startsWith("the fleet did not answer within"), a.getError());
    }

    @Test
    void theAnswerIsForTheAskingDeviceAndQueryWhateverTheAnswererSays() throws Exception {
        responder(q -> CompletableFuture.completedFuture(Answer.newBuilder().setDeviceId("pump-2").setQueryId("other").setOk(false)
                .build())).onMessage(ask("pump-1", "q-7", mqtt(null, null)));
        Answer a = next().answer();
        assertEquals("pump-1", a.getDeviceId());
        assertEquals("q-7", a.getQueryId());
        assertEquals("fleet", a.getSource(), "an empty source becomes fleet");
        assertFalse(a.getError().isEmpty(), "ok=false always says why");
    }

    @Test
    void anAnswerTooLargeToSendBecomesAnOkFalseAnswer() throws Exception {
        responder(q -> CompletableFuture.completedFuture(Answer.newBuilder().setOk(true).setText("x".repeat(Codecs.MAX_ANSWER_BYTES))
                .build())).onMessage(ask("pump-1", "q-1", mqtt(null, null)));
        Answer a = next().answer();
        assertFalse(a.getOk());
        assertEquals("the fleet's answer was too large to send", a.getError());
    }

    @Test
    void aDirectReplyGetsTheAnswerInsteadOfThePublisher() throws Exception {
        CompletableFuture<Answer> got = new CompletableFuture<>();
        responder(ECHO).onMessage(ask("coap-1", "q-1", new AskReply.Direct(got::complete)));
        Answer a = got.get(10, TimeUnit.SECONDS);
        assertTrue(a.getOk());
        assertEquals("coap-1", a.getDeviceId());
        assertNull(published.poll(200, TimeUnit.MILLISECONDS), "nothing published for a direct reply");
        awaitCount(() -> responder.counters().answeredCount(true), 1);
    }

    @Test
    void anAnswerTheBrokerCannotTakeIsCountedAsUndelivered() throws Exception {
        brokerUp.set(false);
        responder(ECHO).onMessage(ask("pump-1", "q-1", mqtt(null, null)));
        awaitCount(() -> responder.counters().undeliveredCount(), 1);
        assertEquals(0, responder.counters().answeredCount(true));
    }

    @Test
    void otherDeviceMessagesAreNotItsBusiness() throws Exception {
        responder(ECHO).onMessage(new DeviceMessage.State(DeviceState.newBuilder().setDeviceId("pump-1").build(), 1, DeviceMessage.Delivery.ONLY));
        assertEquals(0, responder.counters().receivedCount());
        assertTrue(responder.hasRoom());
        assertNull(published.poll(100, TimeUnit.MILLISECONDS));
    }

    @Test
    void logLinesShowNoControlCharactersFromTheDevice() {
        assertEquals("a?b?c", AskResponder.shorten("a\nb\u0000c"));
        assertEquals(123, AskResponder.shorten("y".repeat(500)).length());
    }
}
