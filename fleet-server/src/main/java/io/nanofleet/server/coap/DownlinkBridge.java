package io.nanofleet.server.coap;

import io.nanofleet.protocols.Channel;
import io.nanofleet.protocols.DeviceAddress;
import io.nanofleet.protocols.InvalidAddressException;
import io.nanofleet.protocols.Topics;
import java.util.function.Consumer;
import io.nanofleet.server.ingest.ServerMqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttSubscription;

/**
 * Carries what the server publishes to devices over MQTT (commands, director assignments) to CoAP
 * observers. The broker stays the one place downlinks go: whichever instance (REST API, rollout
 * engine) publishes a command, every instance's CoAP endpoint sees it, and a retained assignment
 * reaches a CoAP device that starts observing later. Non-shared subscriptions on purpose: each
 * instance must notify its own observers.
 */
final class DownlinkBridge implements AutoCloseable {
    private final ServerMqttClient mqtt;
    private final DevicesResource devices;

    DownlinkBridge(String brokerUri, Consumer<MqttConnectionOptions> brokerAuth, DevicesResource devices) {
        this.devices = devices;
        this.mqtt = new ServerMqttClient("CoAP downlink bridge", "nanofleet-coap-", brokerUri, brokerAuth, this::deliver,
                new MqttSubscription(Topics.allDevices(Channel.CMD), 1),
                new MqttSubscription(Topics.allDevices(Channel.OTA), 1));
    }

    void start() {
        mqtt.start();
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
        mqtt.close();
    }
}
