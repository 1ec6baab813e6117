package io.nanofleet.server.coap;

import io.nanofleet.protocols.Channel;
import io.nanofleet.protocols.DeviceAddress;
import io.nanofleet.protocols.InvalidAddressException;
import io.nanofleet.protocols.Topics;
import io.nanofleet.server.StartupException;
import java.util.UUID;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries what the server publishes to devices over MQTT (commands, director assignments) to CoAP
 * observers. The broker stays the one place downlinks go: whichever instance (REST API, rollout
 * engine) publishes a command, every instance's CoAP endpoint sees it, and a retained assignment
 * reaches a CoAP device that starts observing later. Non-shared subscriptions on purpose: each
 * instance must notify its own observers.
 */
final class DownlinkBridge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DownlinkBridge.class);
    private final MqttAsyncClient client;
    private final DevicesResource devices;
    private final Consumer<MqttConnectionOptions> brokerAuth;

    DownlinkBridge(String brokerUri, Consumer<MqttConnectionOptions> brokerAuth, DevicesResource devices) {
        this.devices = devices;
        this.brokerAuth = brokerAuth;
        try {
            client = new MqttAsyncClient(brokerUri, "nanofleet-coap-" + UUID.randomUUID(), new MemoryPersistence());
        } catch (MqttException e) {
            throw new StartupException("invalid broker address " + brokerUri + ": " + e.getMessage(), e);
        }
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse r) {
                LOG.warn("CoAP downlink bridge lost the broker ({}); reconnecting", r.getReasonString());
            }

            @Override
            public void mqttErrorOccurred(MqttException e) {
                LOG.warn("CoAP downlink bridge MQTT error: {}", e.getMessage());
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                deliver(topic, message.getPayload());
            }

            @Override
            public void deliveryComplete(IMqttToken token) {}

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
                if (reconnect) {
                    try {
                        subscribe();
                    } catch (MqttException e) {
                        LOG.error("CoAP downlink bridge could not resubscribe: {}", e.getMessage());
                    }
                }
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {}
        });
    }

    void start() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(true);
        o.setAutomaticReconnectDelay(1, 10);
        brokerAuth.accept(o);
        try {
            client.connect(o).waitForCompletion(15_000);
            subscribe();
        } catch (MqttException e) {
            throw new StartupException("the CoAP endpoint cannot reach the MQTT broker " + client.getServerURI() + ": "
                    + e.getMessage() + ". Check --broker.", e);
        }
    }

    private void subscribe() throws MqttException {
        client.subscribe(new MqttSubscription[] {
            new MqttSubscription(Topics.allDevices(Channel.CMD), 1),
            new MqttSubscription(Topics.allDevices(Channel.OTA), 1),
        }).waitForCompletion(15_000);
    }

    private void deliver(String topic, byte[] payload) {
        DeviceAddress a;
        try {
            a = Topics.parse(topic);
        } catch (InvalidAddressException e) {
            return; // not ours: nothing to deliver
        }
        DevicesResource.Downlink d = devices.downlink(a.deviceId(), a.channel());
        if (d != null) {
            d.publish(payload);
        }
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(2000).waitForCompletion(3000);
            }
            client.close(true);
        } catch (MqttException e) {
            // shutting down
        }
    }
}
