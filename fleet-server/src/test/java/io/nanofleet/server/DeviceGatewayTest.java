package io.nanofleet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.ChannelSummary;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.Query;
import io.nanofleet.protocols.v1.TelemetryBatch;
import io.nanofleet.server.ingest.AskReply;
import io.nanofleet.server.ingest.DeviceGateway;
import io.nanofleet.server.ingest.DeviceMessage;
import io.nanofleet.server.ingest.IngestBus;
import io.nanofleet.server.ingest.IngestCounters.Reject;
import io.nanofleet.server.store.BatchWriter;
import io.nanofleet.server.store.FleetStore;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad device input is rejected with a counted reason and nothing is stored. Uses a real SQLite store. */
class DeviceGatewayTest {
    @TempDir
    Path dir;
    FleetStore store;
    BatchWriter writer;
    DeviceGateway gateway;

    @BeforeEach
    void setUp() {
        store = FleetStore.open("jdbc:sqlite:" + dir.resolve("t.db"));
        writer = new BatchWriter(store, 1000);
        gateway = new DeviceGateway(new IngestBus().add(IngestBus.Scope.ONCE, writer), () -> 1_000L);
    }

    @AfterEach
    void tearDown() {
        writer.close();
        store.close();
    }

    static byte[] telemetry(String id) {
        return Codecs.TELEMETRY.encode(TelemetryBatch.newBuilder().setDeviceId(id).setSequence(1).setWindowEndMs(1)
                .addChannels(ChannelSummary.newBuilder().setChannel("t").setCount(1)).build());
    }

    @Test
    void unknownAndRevokedDevicesAreRejectedByPolicyAndNothingIsStored() throws Exception {
        gateway = new DeviceGateway(new IngestBus().add(IngestBus.Scope.ONCE, writer), id -> id.equals("ghost") ? io.nanofleet.server.ingest.IngestCounters.Reject.UNKNOWN_DEVICE
                : id.equals("gone") ? io.nanofleet.server.ingest.IngestCounters.Reject.REVOKED_DEVICE : null, () -> 1_000L);
        gateway.handle(Topics.telemetry("ghost"), telemetry("ghost"));
        gateway.handle(Topics.telemetry("gone"), telemetry("gone"));
        gateway.handle(Topics.telemetry("dev-1"), telemetry("dev-1"));
        assertTrue(writer.flush(5000));
        assertEquals(1, gateway.counters().rejectedCount(io.nanofleet.server.ingest.IngestCounters.Reject.UNKNOWN_DEVICE));
        assertEquals(1, gateway.counters().rejectedCount(io.nanofleet.server.ingest.IngestCounters.Reject.REVOKED_DEVICE));
        assertEquals(1, store.summaryCount(), "only the known device's summary is stored");
        assertTrue(store.device("ghost").isEmpty() && store.device("gone").isEmpty());
    }

    @Test
    void queriesAreDecodedOnceAndHandedOnWithWhereTheirAnswerGoesBadOnesCountedNothingStored() throws Exception {
        java.util.List<DeviceMessage.Ask> asks = new java.util.concurrent.CopyOnWriteArrayList<>();
        gateway = new DeviceGateway(new IngestBus().add(IngestBus.Scope.ONCE, writer).add(IngestBus.Scope.ONCE, m -> {
            if (m instanceof DeviceMessage.Ask a) {
                asks.add(a);
            }
        }), () -> 1_000L);
        byte[] good = Codecs.QUERY.encode(Query.newBuilder().setDeviceId("dev-1").setQueryId("q-1").setText("status").build());
        gateway.handle(Topics.ask("dev-1"), good, DeviceMessage.Delivery.SHARE, new AskReply.Mqtt(Topics.answers("dev-1"), new byte[] {1}));
        gateway.handle(Topics.ask("dev-1"), good); // no reply given: the default
        gateway.handle(Topics.ask("dev-1"), new byte[] {0x00, 0x01});
        gateway.handle(Topics.ask("dev-1"), Codecs.QUERY.encode(Query.newBuilder().setDeviceId("dev-2").setQueryId("q-2").build()));
        gateway.handle(Topics.ask("dev-1"), Codecs.QUERY.encode(Query.newBuilder().setDeviceId("dev-1").build()));
        gateway.handle(Topics.ask("dev-1"), telemetry("dev-1"));

        assertEquals(2, asks.size());
        assertEquals("q-1", asks.get(0).query().getQueryId());
        assertEquals(DeviceMessage.Delivery.SHARE, asks.get(0).delivery());
        assertEquals(Topics.answers("dev-1"), ((AskReply.Mqtt) asks.get(0).reply()).responseTopic());
        assertEquals(AskReply.DEFAULT, asks.get(1).reply());
        var c = gateway.counters();
        assertEquals(1, c.rejectedCount(Reject.MALFORMED));
        assertEquals(1, c.rejectedCount(Reject.DEVICE_MISMATCH), "a device may not ask for another");
        assertEquals(1, c.rejectedCount(Reject.INVALID_FIELD), "query_id is required");
        assertEquals(1, c.rejectedCount(Reject.WRONG_TYPE));
        assertEquals(6, c.decodedCount());
        assertTrue(writer.flush(5000));
        assertTrue(store.devices().isEmpty(), "queries are not stored");
    }

    @Test
    void validTelemetryIsStored() throws Exception {
        gateway.handle(Topics.telemetry("dev-1"), telemetry("dev-1"));
        assertTrue(writer.flush(5000));
        assertEquals(1, store.summaryCount());
        assertEquals(1, gateway.counters().acceptedCount());
        assertTrue(store.device("dev-1").isPresent(), "telemetry registers the device as seen");
    }

    @Test
    void everyKindOfBadInputIsRejectedCountedAndNotStored() throws Exception {
        byte[] good = telemetry("dev-1");
        gateway.handle(Topics.telemetry("dev-1"), new byte[0]);
        gateway.handle(Topics.telemetry("dev-1"), Arrays.copyOf(good, good.length - 1));
        gateway.handle(Topics.telemetry("dev-1"), new byte[] {0x00, 0x01}); // field number 0 never exists
        gateway.handle(Topics.telemetry("dev-1"), new byte[Codecs.MAX_TELEMETRY_BYTES + 1]);
        gateway.handle(Topics.telemetry("dev-1"), Codecs.STATE.encode(
                DeviceState.newBuilder().setDeviceId("dev-1").setStatus(DeviceState.Status.ONLINE).build()));
        gateway.handle(Topics.telemetry("dev-1"), telemetry("dev-2"));
        gateway.handle("nf/v1/d/dev-1/unknown", good);
        gateway.handle("nf/v1/d/../telemetry", good);
        gateway.handle("nf/v1/d/dev-1/cmd", good);

        var c = gateway.counters();
        assertEquals(1, c.rejectedCount(Reject.EMPTY));
        assertEquals(1, c.rejectedCount(Reject.TRUNCATED));
        assertEquals(1, c.rejectedCount(Reject.MALFORMED));
        assertEquals(1, c.rejectedCount(Reject.OVERSIZED));
        assertEquals(1, c.rejectedCount(Reject.WRONG_TYPE));
        assertEquals(1, c.rejectedCount(Reject.DEVICE_MISMATCH), "a device may not speak for another");
        assertEquals(3, c.rejectedCount(Reject.BAD_TOPIC));
        assertEquals(9, c.rejectedTotal());
        assertEquals(0, c.acceptedCount());
        assertTrue(writer.flush(5000));
        assertEquals(0, store.summaryCount());
        assertTrue(store.devices().isEmpty());
    }

    @Test
    void emptyRetainedStateClearsSilently() throws Exception {
        gateway.handle(Topics.state("dev-1"), new byte[0]);
        assertEquals(0, gateway.counters().rejectedTotal());
        assertTrue(writer.flush(5000));
        assertTrue(store.devices().isEmpty());
    }

    @Test
    void eachCopyReachesTheListenersOfItsScope() {
        java.util.List<String> once = new java.util.ArrayList<>();
        java.util.List<String> everywhere = new java.util.ArrayList<>();
        DeviceGateway g = new DeviceGateway(new IngestBus()
                .add(IngestBus.Scope.ONCE, m -> once.add(m.delivery().name()))
                .add(IngestBus.Scope.EVERY_INSTANCE, m -> everywhere.add(m.delivery().name())), () -> 1L);
        for (DeviceMessage.Delivery d : DeviceMessage.Delivery.values()) {
            g.handle(Topics.telemetry("dev-1"), telemetry("dev-1"), d);
        }
        assertEquals(java.util.List.of("ONLY", "SHARE"), once, "stored once across instances");
        assertEquals(java.util.List.of("ONLY", "OBSERVED"), everywhere, "seen by every instance");
        assertEquals(3, g.counters().decodedCount());
    }

    @Test
    void redeliveredSummaryIsStoredOnce() throws Exception {
        gateway.handle(Topics.telemetry("dev-1"), telemetry("dev-1"));
        gateway.handle(Topics.telemetry("dev-1"), telemetry("dev-1"));
        assertTrue(writer.flush(5000));
        assertEquals(1, store.summaryCount());
    }
}
