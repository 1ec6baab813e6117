package io.nanofleet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;

/**
 * The ask round trip with the embedded broker, over its mutual-TLS listener only: queries reach the responder in
 * process (UplinkInterceptor -> DeviceGateway -> IngestBus) and answers go out through HiveMQ's PublishService.
 */
class AskRoundTripIT extends AbstractAskIT {
    @Override
    ServerConfig.Builder config(ServerConfig.Builder b) {
        return b.plainMqtt(false);
    }

    @Override
    String deviceUri() {
        return server.tlsUri();
    }

    @Override
    MqttConnectionOptions options(DeviceCerts certs) {
        return certs.options();
    }

    /** The in-process ingest step refused it before the broker routed it: MQTT 5 PUBACK 0x99, payload format invalid. */
    @Override
    void malformedRefusal(int pubackCode) {
        assertEquals(0x99, pubackCode);
    }
}
