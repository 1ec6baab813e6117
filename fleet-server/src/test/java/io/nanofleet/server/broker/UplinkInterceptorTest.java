package io.nanofleet.server.broker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.client.parameter.ClientInformation;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.PublishPacket;
import io.nanofleet.protocols.Channel;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.Query;
import io.nanofleet.protocols.v1.TelemetryBatch;
import io.nanofleet.server.ingest.AskReply;
import io.nanofleet.server.ingest.DeviceGateway;
import io.nanofleet.server.ingest.DeviceMessage;
import io.nanofleet.server.ingest.IngestBus;
import io.nanofleet.server.ingest.IngestCounters;
import io.nanofleet.server.ingest.IngestListener;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The in-process uplink path: what it takes (a device's own state, telemetry, events and queries, a query with its
 * response topic and correlation data), what it leaves to the broker's ACL, and how it waits.
 */
class UplinkInterceptorTest {
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private final List<String> ingested = new CopyOnWriteArrayList<>();
    private final AtomicBoolean room = new AtomicBoolean(true);
    private final IngestListener recorder = new IngestListener() {
        @Override
        public boolean hasRoom() {
            return room.get();
        }

        @Override
        public void onMessage(DeviceMessage m) {
            ingested.add(m.deviceId() + "/" + m.getClass().getSimpleName());
        }
    };
    private final DeviceGateway gateway = new DeviceGateway(new IngestBus().add(IngestBus.Scope.ONCE, recorder), () -> 1L);

    private static byte[] telemetry(String id) {
        return Codecs.TELEMETRY.encode(TelemetryBatch.newBuilder().setDeviceId(id).setSequence(1).setWindowEndMs(1)
                .addChannels(io.nanofleet.protocols.v1.ChannelSummary.newBuilder().setChannel("t").setCount(1)).build());
    }

    private static byte[] event(String id) {
        return Codecs.EVENT.encode(Event.newBuilder().setDeviceId(id).setEventId("e-1")
                .setAnomaly(io.nanofleet.protocols.v1.AnomalyEvent.getDefaultInstance()).build());
    }

    private static byte[] state(String id) {
        return Codecs.STATE.encode(DeviceState.newBuilder().setDeviceId(id).setStatus(DeviceState.Status.ONLINE).build());
    }

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void takesADevicesOwnStateTelemetryAndEventsOnTheEventLoop() {
        UplinkInterceptor interceptor = new UplinkInterceptor(gateway, executor);
        FakeOutput out = new FakeOutput();
        interceptor.onInboundPublish(input("pump-1", Topics.telemetry("pump-1"), telemetry("pump-1")), out.proxy());
        interceptor.onInboundPublish(input("pump-1", Topics.events("pump-1"), event("pump-1")), out.proxy());
        interceptor.onInboundPublish(input("pump-1", Topics.topic("pump-1", Channel.STATE), state("pump-1")), out.proxy());
        assertEquals(List.of("pump-1/Telemetry", "pump-1/Events", "pump-1/State"), ingested);
        assertEquals(0, out.asyncCalls.get(), "no wait while the queue has room");
    }

    @Test
    void leavesOtherDevicesTopicsOtherChannelsAndForeignTopicsToTheBroker() {
        UplinkInterceptor interceptor = new UplinkInterceptor(gateway, executor);
        FakeOutput out = new FakeOutput();
        interceptor.onInboundPublish(input("pump-2", Topics.telemetry("pump-1"), telemetry("pump-1")), out.proxy());
        interceptor.onInboundPublish(input("nanofleet-server-1", Topics.events("pump-1"), event("pump-1")), out.proxy());
        interceptor.onInboundPublish(input("pump-2", Topics.topic("pump-1", Channel.STATE), state("pump-1")), out.proxy());
        interceptor.onInboundPublish(input("pump-2", Topics.ask("pump-1"), query("pump-1")), out.proxy());
        interceptor.onInboundPublish(input("pump-1", "nf/v1/d/pump-1/telemetry/extra", telemetry("pump-1")), out.proxy());
        interceptor.onInboundPublish(input("pump-1", "$SYS/anything", "sys".getBytes()), out.proxy());
        assertEquals(List.of(), ingested);
        assertEquals(0, out.asyncCalls.get());
    }

    @Test
    void takesADevicesOwnQueryWithItsResponseTopicAndCorrelationData() {
        List<DeviceMessage.Ask> asks = new CopyOnWriteArrayList<>();
        DeviceGateway g = new DeviceGateway(new IngestBus().add(IngestBus.Scope.ONCE, m -> {
            if (m instanceof DeviceMessage.Ask a) {
                asks.add(a);
            }
        }), () -> 1L);
        UplinkInterceptor interceptor = new UplinkInterceptor(g, executor);
        FakeOutput out = new FakeOutput();
        interceptor.onInboundPublish(input("pump-1", Topics.ask("pump-1"), query("pump-1"), Topics.answers("pump-1"),
                new byte[] {7, 8, 9}), out.proxy());
        interceptor.onInboundPublish(input("pump-1", Topics.ask("pump-1"), query("pump-1"), null, null), out.proxy());
        assertEquals(2, asks.size());
        assertEquals("q-1", asks.get(0).query().getQueryId());
        AskReply.Mqtt first = (AskReply.Mqtt) asks.get(0).reply();
        assertEquals(Topics.answers("pump-1"), first.responseTopic());
        assertArrayEquals(new byte[] {7, 8, 9}, first.correlationData());
        AskReply.Mqtt second = (AskReply.Mqtt) asks.get(1).reply();
        assertNull(second.responseTopic(), "no response topic: the responder picks the default");
        assertNull(second.correlationData());
        assertEquals(0, out.prevented.get());
    }

    @Test
    void aMalformedQueryIsRefusedWithPayloadFormatInvalid() {
        UplinkInterceptor interceptor = new UplinkInterceptor(gateway, executor);
        FakeOutput out = new FakeOutput();
        interceptor.onInboundPublish(input("pump-1", Topics.ask("pump-1"), new byte[] {0x00, 0x01}, Topics.answers("pump-1"), null),
                out.proxy());
        assertEquals(List.of(), ingested);
        assertEquals(1, out.prevented.get());
        assertEquals(AckReasonCode.PAYLOAD_FORMAT_INVALID, out.lastCode);
        assertEquals(1, gateway.counters().rejectedCount(IngestCounters.Reject.MALFORMED));
    }

    @Test
    void aFullQueueHoldsThePubackUntilTheMessageIsQueued() throws Exception {
        room.set(false);
        UplinkInterceptor interceptor = new UplinkInterceptor(gateway, executor);
        FakeOutput out = new FakeOutput();
        interceptor.onInboundPublish(input("pump-1", Topics.telemetry("pump-1"), telemetry("pump-1")), out.proxy());
        assertEquals(1, out.asyncCalls.get(), "the publish goes async instead of blocking the event loop");
        assertTrue(out.resumed.await(), "resumed once queued");
        assertEquals(List.of("pump-1/Telemetry"), ingested);
    }

    private static byte[] query(String id) {
        return Codecs.QUERY.encode(Query.newBuilder().setDeviceId(id).setQueryId("q-1").setText("status?").build());
    }

    private static PublishInboundInput input(String clientId, String topic, byte[] payload) {
        return input(clientId, topic, payload, null, null);
    }

    private static PublishInboundInput input(String clientId, String topic, byte[] payload, String responseTopic,
                                             byte[] correlationData) {
        PublishPacket packet = proxy(PublishPacket.class, (name, args) -> switch (name) {
            case "getTopic" -> topic;
            case "getPayload" -> Optional.of(ByteBuffer.wrap(payload).asReadOnlyBuffer());
            case "getResponseTopic" -> Optional.ofNullable(responseTopic);
            case "getCorrelationData" -> Optional.ofNullable(correlationData).map(b -> ByteBuffer.wrap(b).asReadOnlyBuffer());
            default -> throw new UnsupportedOperationException(name);
        });
        ClientInformation client = proxy(ClientInformation.class, (name, args) -> {
            if (name.equals("getClientId")) {
                return clientId;
            }
            throw new UnsupportedOperationException(name);
        });
        return proxy(PublishInboundInput.class, (name, args) -> switch (name) {
            case "getPublishPacket" -> packet;
            case "getClientInformation" -> client;
            default -> throw new UnsupportedOperationException(name);
        });
    }

    /** Records async() calls and completes {@link #resumed} when the interceptor resumes. */
    private static final class FakeOutput {
        final AtomicInteger asyncCalls = new AtomicInteger();
        final AtomicInteger prevented = new AtomicInteger();
        volatile AckReasonCode lastCode;
        final Resumed resumed = new Resumed();

        PublishInboundOutput proxy() {
            Async<?> async = UplinkInterceptorTest.proxy(Async.class, (name, args) -> {
                if (name.equals("resume")) {
                    resumed.done.complete(null);
                    return null;
                }
                throw new UnsupportedOperationException(name);
            });
            return UplinkInterceptorTest.proxy(PublishInboundOutput.class, (name, args) -> {
                if (name.equals("async")) {
                    asyncCalls.incrementAndGet();
                    return async;
                }
                if (name.equals("preventPublishDelivery")) {
                    prevented.incrementAndGet();
                    lastCode = args.length > 0 ? (AckReasonCode) args[0] : null;
                    return null;
                }
                throw new UnsupportedOperationException(name);
            });
        }
    }

    private static final class Resumed {
        final CompletableFuture<Void> done = new CompletableFuture<>();

        boolean await() throws Exception {
            done.get(10, TimeUnit.SECONDS);
            return true;
        }

        boolean isDone() {
            return done.isDone();
        }
    }

    interface Answer {
        Object answer(String method, Object[] args);
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, Answer answer) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
            if (m.getDeclaringClass() == Object.class) {
                return m.getName().equals("toString") ? type.getSimpleName() : m.getName().equals("hashCode") ? 0 : p == args[0];
            }
            return answer.answer(m.getName(), args == null ? new Object[0] : args);
        });
    }
}
