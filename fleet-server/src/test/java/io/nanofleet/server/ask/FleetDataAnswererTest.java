package io.nanofleet.server.ask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.protocols.v1.Answer;
import io.nanofleet.protocols.v1.ChannelSummary;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.Query;
import io.nanofleet.protocols.v1.TelemetryBatch;
import io.nanofleet.server.ingest.DeviceMessage;
import io.nanofleet.server.store.BatchWriter;
import io.nanofleet.server.store.FleetStore;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The placeholder answerer: fleet data for status/model/summary questions about the asking device, else an honest no. */
class FleetDataAnswererTest {
    @TempDir
    Path dir;
    FleetStore store;
    BatchWriter writer;
    FleetDataAnswerer answerer;

    @BeforeEach
    void setUp() throws Exception {
        store = FleetStore.open("jdbc:sqlite:" + dir.resolve("t.db"));
        writer = new BatchWriter(store, 100);
        answerer = new FleetDataAnswerer(store, id -> id.equals("pump-1") ? Optional.of("models/anomaly-v2.nfm") : Optional.empty(),
                () -> 61_000L);
        writer.onMessage(new DeviceMessage.State(DeviceState.newBuilder().setDeviceId("pump-1").setStatus(DeviceState.Status.ONLINE)
                .setAgentVersion("0.1.0").setHardwareId("rpi4-arm64").build(), 1_000L, DeviceMessage.Delivery.ONLY));
        for (long seq = 1; seq <= 2; seq++) {
            writer.onMessage(new DeviceMessage.Telemetry(TelemetryBatch.newBuilder().setDeviceId("pump-1").setSequence(seq)
                    .setWindowStartMs(seq * 10_000).setWindowEndMs(seq * 10_000 + 9_999)
                    .addChannels(ChannelSummary.newBuilder().setChannel("temp").setCount(10).setMin(1).setMax(3).setMean(2 * seq).setLast(2))
                    .addChannels(ChannelSummary.newBuilder().setChannel("rpm").setCount(10).setMin(900).setMax(1100).setMean(1000).setLast(990))
                    .build(), 1_000L, DeviceMessage.Delivery.ONLY));
        }
        assertTrue(writer.flush(5000));
    }

    @AfterEach
    void tearDown() {
        writer.close();
        store.close();
    }

    Answer ask(String deviceId, String text) throws Exception {
        return answerer.answer(new DeviceQuery(deviceId, Query.newBuilder().setDeviceId(deviceId).setQueryId("q-1").setText(text)
                .setLocalIntent("agent_status").setLocalConfidence(0.3f).build(), 61_000L)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void statusComesFromTheDeviceRow() throws Exception {
        Answer a = ask("pump-1", "What's my STATUS?");
        assertTrue(a.getOk(), a.toString());
        assertEquals("fleet", a.getSource());
        assertEquals("", a.getIntent(), "a fact to show, nothing for the device to do");
        assertEquals("pump-1 is online, last seen 60 s ago (agent 0.1.0 on rpi4-arm64).", a.getText());
        assertEquals("online", a.getArgumentsMap().get("status"));
        assertEquals("1000", a.getArgumentsMap().get("last_seen_ms"));
    }

    @Test
    void modelComesFromWhatTheDeviceLastReported() throws Exception {
        assertEquals("pump-1 runs the anomaly model models/anomaly-v2.nfm (as it last reported).", ask("pump-1", "which model do I run").getText());
        Answer unknown = ask("pump-9", "models?");
        assertTrue(unknown.getOk());
        assertEquals("The fleet has not heard which anomaly model pump-9 runs.", unknown.getText());
    }

    @Test
    void summaryIsTheLatestStoredWindowPerChannel() throws Exception {
        Answer a = ask("pump-1", "last summary please");
        assertTrue(a.getOk());
        assertTrue(a.getText().startsWith("Latest summary (1970-01-01T00:00:20Z to 1970-01-01T00:00:29.999Z):"), a.getText());
        assertTrue(a.getText().contains("temp mean 4.000 (min 1.000, max 3.000, last 2.000, 10 samples)"), a.getText());
        assertTrue(a.getText().contains("rpm mean 1000 (min 900.0, max 1100, last 990.0, 10 samples)"), a.getText());
        assertEquals(Map.of("summary_sequence", "2", "summary_window_end_ms", "29999"), a.getArgumentsMap());
    }

    @Test
    void severalTopicsAreAnsweredTogether() throws Exception {
        Answer a = ask("pump-1", "status and model");
        assertTrue(a.getText().startsWith("pump-1 is online"), a.getText());
        assertTrue(a.getText().contains("models/anomaly-v2.nfm"), a.getText());
    }

    @Test
    void anUnknownDeviceGetsAnHonestAnswer() throws Exception {
        Answer a = ask("ghost", "status");
        assertTrue(a.getOk());
        assertEquals("The fleet has no record of ghost yet. ", a.getText() + " ");
        assertEquals("The fleet has no telemetry summary from ghost yet.", ask("ghost", "summaries").getText());
    }

    @Test
    void anythingElseIsNotOkWithThePlaceholderError() throws Exception {
        for (String text : new String[] {"why is the pump vibrating", "", "statuses modelling summarize"}) {
            Answer a = ask("pump-1", text);
            assertFalse(a.getOk(), text);
            assertEquals("fleet", a.getSource());
            assertEquals(FleetDataAnswerer.NO_MODEL, a.getError());
            assertEquals("the fleet has no model to answer this yet; configure the mini/full tiers", a.getError());
        }
    }

    @Test
    void keywordsAreWholeWordsInAnyCase() {
        assertEquals(EnumSet.of(FleetDataAnswerer.Topic.STATUS, FleetDataAnswerer.Topic.SUMMARY),
                FleetDataAnswerer.topics("Status? and the SUMMARIES, please"));
        assertEquals(EnumSet.noneOf(FleetDataAnswerer.Topic.class), FleetDataAnswerer.topics("modelling"));
    }
}
