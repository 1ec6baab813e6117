package io.nanofleet.server;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nanofleet.server.broker.BrokerUri;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.BeforeEach;

/**
 * The ask round trip through an external MQTT 5 broker (NANOFLEET_IT_MQTT_URL, e.g. this machine's Mosquitto;
 * skipped with a message naming the variable when it is unset): the server takes queries from its
 * {@code $share/nanofleet/nf/v1/d/+/ask} subscription, with their response topic and correlation data, and
 * publishes answers with its one MQTT client. Devices are enrolled (the server accepts no others behind an
 * external broker) and connect without TLS to the open test broker.
 */
class AskExternalBrokerIT extends AbstractAskIT {
    static final String ENV = "NANOFLEET_IT_MQTT_URL";
    String brokerUrl;

    /** Per test (not @BeforeAll), so the skip and its message show up in the test report. */
    @BeforeEach
    void broker() {
        brokerUrl = System.getenv(ENV);
        assumeTrue(brokerUrl != null && !brokerUrl.isBlank(),
                "skipped: set " + ENV + "=mqtt://host:port (an MQTT 5 broker such as Mosquitto) to run the ask round trip through it");
    }

    @Override
    ServerConfig.Builder config(ServerConfig.Builder b) {
        return b.externalBroker(brokerUrl);
    }

    @Override
    String deviceUri() {
        return BrokerUri.toPaho(brokerUrl);
    }

    @Override
    MqttConnectionOptions options(DeviceCerts certs) {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setConnectionTimeout(20);
        return o;
    }

    /** Mosquitto acknowledges it (the server's ingest step refuses it after the broker delivered it). */
    @Override
    void malformedRefusal(int pubackCode) {
        assertTrue(pubackCode < 0x80, "a success PUBACK, got " + pubackCode);
    }
}
