package io.nanofleet.protocols;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.protocols.compat.older.MessageKind;
import io.nanofleet.protocols.compat.older.NewerDeviceState;
import io.nanofleet.protocols.compat.older.OlderChannelSummary;
import io.nanofleet.protocols.compat.older.OlderDeviceState;
import io.nanofleet.protocols.compat.older.OlderTelemetryBatch;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.TelemetryBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Payloads from older agents keep parsing; fields from newer agents survive a round trip. */
class SchemaCompatibilityTest {
    static final Path GOLDEN = GoldenVectorTest.GOLDEN;

    static OlderDeviceState olderState() {
        return OlderDeviceState.newBuilder().setSchemaVersion(1).setKind(MessageKind.DEVICE_STATE)
                .setDeviceId("old-agent-1").setStatus(OlderDeviceState.Status.ONLINE).setTimestampMs(1_600_000_000_000L).build();
    }

    static OlderTelemetryBatch olderTelemetry() {
        return OlderTelemetryBatch.newBuilder().setSchemaVersion(1).setKind(MessageKind.TELEMETRY_BATCH)
                .setDeviceId("old-agent-1").setSequence(7)
                .addChannels(OlderChannelSummary.newBuilder().setChannel("temp").setCount(3).setMin(1).setMax(3).setMean(2))
                .build();
    }

    @Test
    void olderDeviceStatePayloadStillParses() throws Exception {
        Path bin = GOLDEN.resolve("older/device_state.bin");
        if (Boolean.getBoolean("golden.write")) {
            Files.createDirectories(bin.getParent());
            Files.write(bin, olderState().toByteArray());
        }
        byte[] written = Files.readAllBytes(bin);
        assertArrayEquals(olderState().toByteArray(), written, "the frozen older payload changed");

        DeviceState s = Codecs.STATE.decode(written);
        assertEquals("old-agent-1", s.getDeviceId());
        assertEquals(DeviceState.Status.ONLINE, s.getStatus());
        assertEquals(1_600_000_000_000L, s.getTimestampMs());
        // Fields added since default to empty rather than failing.
        assertEquals("", s.getHardwareId());
        assertFalse(s.hasAnomalyModel());
        assertEquals(0, s.getChannelsCount());
    }

    @Test
    void olderTelemetryPayloadStillParses() throws Exception {
        Path bin = GOLDEN.resolve("older/telemetry_batch.bin");
        if (Boolean.getBoolean("golden.write")) {
            Files.createDirectories(bin.getParent());
            Files.write(bin, olderTelemetry().toByteArray());
        }
        TelemetryBatch t = Codecs.TELEMETRY.decode(Files.readAllBytes(bin));
        assertEquals(7, t.getSequence());
        assertEquals("temp", t.getChannels(0).getChannel());
        assertEquals(2.0, t.getChannels(0).getMean());
        assertEquals(0.0, t.getChannels(0).getLast(), "'last' did not exist yet and must default to 0");
    }

    @Test
    void unknownFieldsFromNewerAgentsAreKeptOnReserialisation() throws Exception {
        byte[] newer = NewerDeviceState.newBuilder().setSchemaVersion(2).setKind(MessageKind.DEVICE_STATE)
                .setDeviceId("new-agent").setStatus(OlderDeviceState.Status.ONLINE).setFirmwareChannel("beta").build()
                .toByteArray();
        DeviceState s = Codecs.STATE.decode(newer);
        assertEquals(2, s.getSchemaVersion(), "a newer schema version is accepted: the schema only grows");
        assertTrue(s.getUnknownFields().hasField(99));
        NewerDeviceState back = NewerDeviceState.parseFrom(Codecs.STATE.encode(s));
        assertEquals("beta", back.getFirmwareChannel());
    }
}
