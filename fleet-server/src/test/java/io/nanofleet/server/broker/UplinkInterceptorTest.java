package io.nanofleet.server.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.client.parameter.ClientInformation;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.publish.PublishPacket;
import io.nanofleet.protocols.Channel;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.TelemetryBatch;
import io.nanofleet.server.ingest.DeviceGateway;
import io.nanofleet.server.ingest.DeviceMessage;
import io.nanofleet.server.ingest.IngestBus;
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

/** The in-process uplink path: what it takes, what it leaves to the broker's ACL, and how it waits. */
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
        interceptor.onInboundPublish(input("pump-1", Topics.ask("pump-1"), "ask".getBytes()), out.proxy());
        interceptor.onInboundPublish(input("pump-1", "nf/v1/d/pump-1/telemetry/extra", telemetry("pump-1")), out.proxy());
        interceptor.onInboundPublish(input("pump-1", "$SYS/anything", "sys".getBytes()), out.proxy());
        assertEquals(List.of(), ingested);
        assertEquals(0, out.asyncCalls.get());
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

    private static PublishInboundInput input(String clientId, String topic, byte[] payload) {
        PublishPacket packet = proxy(PublishPacket.class, (name, args) -> switch (name) {
            case "getTopic" -> topic;
            case "getPayload" -> Optional.of(ByteBuffer.wrap(payload).asReadOnlyBuffer());
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
