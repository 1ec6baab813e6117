package io.nanofleet.protocols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.protocols.PayloadException.Reason;
import io.nanofleet.protocols.v1.AnomalyEvent;
import io.nanofleet.protocols.v1.ChannelSummary;
import io.nanofleet.protocols.v1.Command;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.MessageKind;
import io.nanofleet.protocols.v1.TelemetryBatch;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MessageCodecTest {

    static TelemetryBatch telemetry(String id) {
        return TelemetryBatch.newBuilder().setDeviceId(id).setSequence(1).setWindowStartMs(1000).setWindowEndMs(2000)
                .addChannels(ChannelSummary.newBuilder().setChannel("temp").setCount(2).setMin(1).setMax(2).setMean(1.5).setLast(2))
                .build();
    }

    static Reason reasonOf(MessageCodec<?> codec, byte[] bytes) {
        return assertThrows(PayloadException.class, () -> codec.decode(bytes)).reason();
    }

    @Test
    void encodeStampsVersionAndKindAndRoundTrips() throws Exception {
        byte[] bytes = Codecs.TELEMETRY.encode(telemetry("dev-1"));
        TelemetryBatch back = Codecs.TELEMETRY.decode(bytes);
        assertEquals(Codecs.SCHEMA_VERSION, back.getSchemaVersion());
        assertEquals(MessageKind.TELEMETRY_BATCH, back.getKind());
        assertEquals(1.5, back.getChannels(0).getMean());
    }

    @Test
    void emptyPayload() {
        assertEquals(Reason.EMPTY, reasonOf(Codecs.STATE, new byte[0]));
        assertEquals(Reason.EMPTY, reasonOf(Codecs.STATE, null));
    }

    @Test
    void oversizedPayloadIsRejectedBeforeParsing() {
        byte[] huge = new byte[Codecs.MAX_TELEMETRY_BYTES + 1];
        PayloadException e = assertThrows(PayloadException.class, () -> Codecs.TELEMETRY.decode(huge));
        assertEquals(Reason.OVERSIZED, e.reason());
        assertTrue(e.getMessage().contains(String.valueOf(Codecs.MAX_TELEMETRY_BYTES)), e.getMessage());
    }

    @Test
    void truncatedPayloadAtEveryCutIsRejected() {
        byte[] full = Codecs.TELEMETRY.encode(telemetry("dev-1"));
        int truncatedCount = 0;
        for (int cut = 1; cut < full.length; cut++) {
            byte[] part = Arrays.copyOf(full, cut);
            PayloadException e = assertThrows(PayloadException.class, () -> Codecs.TELEMETRY.decode(part), "cut at " + cut);
            if (e.reason() == Reason.TRUNCATED) {
                truncatedCount++;
            }
        }
        // Cuts at a field boundary parse as a shorter valid message and fail validation instead.
        assertTrue(truncatedCount > full.length / 2, "most cuts land inside a field: " + truncatedCount + "/" + full.length);
        assertEquals(Reason.TRUNCATED, reasonOf(Codecs.TELEMETRY, Arrays.copyOf(full, full.length - 1)));
    }

    @Test
    void garbageIsMalformed() {
        byte[] garbage = new byte[32];
        Arrays.fill(garbage, (byte) 0xFF);
        assertEquals(Reason.MALFORMED, reasonOf(Codecs.STATE, garbage));
        // Field 0 is never valid in protobuf.
        assertEquals(Reason.MALFORMED, reasonOf(Codecs.STATE, new byte[] {0x00, 0x01}));
    }

    @Test
    void wrongMessageTypeIsRejected() {
        byte[] telemetry = Codecs.TELEMETRY.encode(telemetry("dev-1"));
        PayloadException e = assertThrows(PayloadException.class, () -> Codecs.COMMAND.decode(telemetry));
        assertEquals(Reason.WRONG_TYPE, e.reason());
        assertTrue(e.getMessage().contains("TELEMETRY_BATCH"), e.getMessage());
        // A message without a kind at all.
        byte[] noKind = TelemetryBatch.newBuilder().setSchemaVersion(1).setDeviceId("dev-1").build().toByteArray();
        assertEquals(Reason.WRONG_TYPE, reasonOf(Codecs.TELEMETRY, noKind));
    }

    @Test
    void missingSchemaVersion() {
        byte[] bytes = telemetry("dev-1").toBuilder().setKind(MessageKind.TELEMETRY_BATCH).build().toByteArray();
        assertEquals(Reason.MISSING_VERSION, reasonOf(Codecs.TELEMETRY, bytes));
    }

    @Test
    void badDeviceIdsAreInvalidFields() {
        for (String bad : new String[] {"", "a/b", "a+b", "#", "..", "../etc", "$SYS", "x".repeat(65), "dev 1"}) {
            byte[] bytes = telemetry("ok").toBuilder().setSchemaVersion(1).setKind(MessageKind.TELEMETRY_BATCH)
                    .setDeviceId(bad).build().toByteArray();
            assertEquals(Reason.INVALID_FIELD, reasonOf(Codecs.TELEMETRY, bytes), "device id '" + bad + "'");
        }
    }

    @Test
    void requiredFieldsPerType() {
        assertEquals(Reason.INVALID_FIELD, reasonOf(Codecs.STATE,
                DeviceState.newBuilder().setSchemaVersion(1).setKind(MessageKind.DEVICE_STATE).setDeviceId("d").build().toByteArray()));
        assertEquals(Reason.INVALID_FIELD, reasonOf(Codecs.COMMAND,
                Command.newBuilder().setSchemaVersion(1).setKind(MessageKind.COMMAND).setDeviceId("d").setAction("ping").build().toByteArray()));
        assertEquals(Reason.INVALID_FIELD, reasonOf(Codecs.TELEMETRY,
                telemetry("d").toBuilder().setSchemaVersion(1).setKind(MessageKind.TELEMETRY_BATCH).clearChannels().build().toByteArray()));
        assertEquals(Reason.INVALID_FIELD, reasonOf(Codecs.TELEMETRY,
                telemetry("d").toBuilder().setSchemaVersion(1).setKind(MessageKind.TELEMETRY_BATCH).setWindowEndMs(0).build().toByteArray()));
        assertEquals(Reason.INVALID_FIELD, reasonOf(Codecs.EVENT,
                Event.newBuilder().setSchemaVersion(1).setKind(MessageKind.EVENT).setDeviceId("d").setEventId("e").build().toByteArray()));
    }

    @Test
    void anomalyWindowShapeMustMatch() {
        Event bad = Event.newBuilder().setDeviceId("d").setEventId("e")
                .setAnomaly(AnomalyEvent.newBuilder().addChannels("a").addChannels("b").setWindowLength(2).addWindow(1f)).build();
        PayloadException e = assertThrows(PayloadException.class, () -> Codecs.EVENT.decode(Codecs.EVENT.encode(bad)));
        assertEquals(Reason.INVALID_FIELD, e.reason());
        assertTrue(e.getMessage().contains("expected window_length x channels = 4"), e.getMessage());
    }

    @Test
    void encodeRefusesMessagesOverTheLimit() {
        var b = TelemetryBatch.newBuilder().setDeviceId("d").setWindowEndMs(1);
        for (int i = 0; i < 5000; i++) {
            b.addChannels(ChannelSummary.newBuilder().setChannel("channel-" + i).setCount(i));
        }
        assertThrows(IllegalArgumentException.class, () -> Codecs.TELEMETRY.encode(b.build()));
    }
}
