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
import io.nanofleet.protocols.DeviceAddress;
import io.nanofleet.protocols.Topics;
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
    private final UplinkRoute route = new UplinkRoute() {
        @Override
        public boolean hasRoom() {
            return room.get();
        }

        @Override
        public void ingest(DeviceAddress address, byte[] payload) {
            ingested.add(address.deviceId() + "/" + address.channel().segment() + "=" + new String(payload));
        }
    };

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void takesADevicesOwnTelemetryAndEventsOnTheEventLoop() {
        UplinkInterceptor interceptor = new UplinkInterceptor(CompletableFuture.completedFuture(route), executor);
        FakeOutput out = new FakeOutput();
        interceptor.onInboundPublish(input("pump-1", Topics.telemetry("pump-1"), "t"), out.proxy());
        interceptor.onInboundPublish(input("pump-1", Topics.events("pump-1"), "e"), out.proxy());
        assertEquals(List.of("pump-1/telemetry=t", "pump-1/events=e"), ingested);
        assertEquals(0, out.asyncCalls.get(), "no wait while the queue has room");
    }

    @Test
    void leavesOtherDevicesTopicsOtherChannelsAndForeignTopicsToTheBroker() {
        UplinkInterceptor interceptor = new UplinkInterceptor(CompletableFuture.completedFuture(route), executor);
        FakeOutput out = new FakeOutput();
        interceptor.onInboundPublish(input("pump-2", Topics.telemetry("pump-1"), "forged"), out.proxy());
        interceptor.onInboundPublish(input("nanofleet-server-1", Topics.events("pump-1"), "server"), out.proxy());
        interceptor.onInboundPublish(input("pump-1", Topics.topic("pump-1", Channel.STATE), "state"), out.proxy());
        interceptor.onInboundPublish(input("pump-1", Topics.ask("pump-1"), "ask"), out.proxy());
        interceptor.onInboundPublish(input("pump-1", "nf/v1/d/pump-1/telemetry/extra", "deep"), out.proxy());
        interceptor.onInboundPublish(input("pump-1", "$SYS/anything", "sys"), out.proxy());
        assertEquals(List.of(), ingested);
        assertEquals(0, out.asyncCalls.get());
    }

    @Test
    void aFullQueueHoldsThePubackUntilTheMessageIsQueued() throws Exception {
        room.set(false);
        UplinkInterceptor interceptor = new UplinkInterceptor(CompletableFuture.completedFuture(route), executor);
        FakeOutput out = new FakeOutput();
        interceptor.onInboundPublish(input("pump-1", Topics.telemetry("pump-1"), "late"), out.proxy());
        assertEquals(1, out.asyncCalls.get(), "the publish goes async instead of blocking the event loop");
        assertTrue(out.resumed.await(), "resumed once queued");
        assertEquals(List.of("pump-1/telemetry=late"), ingested);
    }

    @Test
    void uplinksBeforeTheIngestPathExistsWaitForIt() throws Exception {
        CompletableFuture<UplinkRoute> later = new CompletableFuture<>();
        UplinkInterceptor interceptor = new UplinkInterceptor(later, executor);
        FakeOutput out = new FakeOutput();
        interceptor.onInboundPublish(input("pump-1", Topics.telemetry("pump-1"), "early"), out.proxy());
        assertEquals(1, out.asyncCalls.get());
        Thread.sleep(200);
        assertFalse(out.resumed.isDone(), "no PUBACK before the message is queued");
        assertEquals(List.of(), ingested);
        later.complete(route);
        assertTrue(out.resumed.await());
        assertEquals(List.of("pump-1/telemetry=early"), ingested);
    }

    private static PublishInboundInput input(String clientId, String topic, String payload) {
        PublishPacket packet = proxy(PublishPacket.class, (name, args) -> switch (name) {
            case "getTopic" -> topic;
            case "getPayload" -> Optional.of(ByteBuffer.wrap(payload.getBytes()).asReadOnlyBuffer());
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
