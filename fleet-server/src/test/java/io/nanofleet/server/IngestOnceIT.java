package io.nanofleet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.ChannelSummary;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.TelemetryBatch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With the embedded broker every device message is decoded once, in-process: a real Paho device publishes
 * state and telemetry; the ingest step decodes each exactly once, the store gets every summary, and the only
 * MQTT client on the broker is the device (the server runs no loopback client that could decode again).
 */
class IngestOnceIT {
    static final int SAMPLES = 25;

    @TempDir
    Path dataDir;

    @Test
    void eachTelemetrySampleIsDecodedOnceAndTheServerRunsNoMqttClient() throws Exception {
        try (FleetServer server = new FleetServer(ServerConfig.builder().mqttHost("127.0.0.1").mqttPort(0).mqttsPort(0).coapPort(0)
                .httpHost("127.0.0.1").httpPort(0).dataDir(dataDir).build()).start()) {
            long decodedBefore = server.gateway().counters().decodedCount();
            MqttClient device = new MqttClient(server.brokerUri(), "once-1", new MemoryPersistence());
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setCleanStart(true);
            device.connect(o);
            try {
                device.publish(Topics.state("once-1"), new MqttMessage(Codecs.STATE.encode(DeviceState.newBuilder()
                        .setDeviceId("once-1").setStatus(DeviceState.Status.ONLINE).build()), 1, true, null));
                for (int i = 1; i <= SAMPLES; i++) {
                    byte[] batch = Codecs.TELEMETRY.encode(TelemetryBatch.newBuilder().setDeviceId("once-1").setSequence(i)
                            .setWindowStartMs(i * 1000L).setWindowEndMs(i * 1000L + 999)
                            .addChannels(ChannelSummary.newBuilder().setChannel("t").setCount(1).setLast(i)).build());
                    device.publish(Topics.telemetry("once-1"), new MqttMessage(batch, 1, false, null));
                }
                Await.until(Duration.ofSeconds(20), "every summary stored", () -> server.store().summaryCount(), n -> n == SAMPLES);
                assertEquals(List.of("once-1"), server.broker().connectedClients(), "no MQTT client of the server's own");
                assertEquals(SAMPLES + 1, server.gateway().counters().decodedCount() - decodedBefore,
                        "one state and " + SAMPLES + " summaries, each decoded exactly once");
                assertEquals(SAMPLES + 1, server.gateway().counters().acceptedCount());
            } finally {
                device.disconnect();
                device.close();
            }
        }
    }
}
