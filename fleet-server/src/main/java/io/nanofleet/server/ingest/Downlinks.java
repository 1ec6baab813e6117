package io.nanofleet.server.ingest;

import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.DeviceAddress;
import io.nanofleet.protocols.InvalidAddressException;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.Answer;
import io.nanofleet.protocols.v1.Assignment;
import io.nanofleet.protocols.v1.Command;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * The one way out to devices: commands, director assignments and answers to queries are published to the broker (the embedded
 * one in-process, an external one through the server's MQTT client) and handed to local {@link Listener}s
 * (the CoAP endpoint's observers). With an external broker several instances publish, so local listeners
 * get what the broker echoes back to this instance's subscription ({@link #delivered}), whoever sent it.
 */
public final class Downlinks {
    /** Publishes to the broker (QoS 1) and returns once the broker has taken the message. */
    public interface Transport {
        /** @param correlationData the MQTT 5 correlation data to send with it, or null for none */
        void publish(String topic, byte[] payload, boolean retained, byte[] correlationData) throws Exception;

        default void publish(String topic, byte[] payload, boolean retained) throws Exception {
            publish(topic, payload, retained, null);
        }

        boolean isConnected();

        /** True when the broker echoes every downlink back to {@link #delivered} (an external broker). */
        boolean echoes();
    }

    /** Receives every downlink sent to a device (cmd or ota channel), e.g. to notify CoAP observers. */
    public interface Listener {
        void onDownlink(DeviceAddress address, byte[] payload);
    }

    private final Transport transport;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    public Downlinks(Transport transport) {
        this.transport = transport;
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** Publishes a command to its device (QoS 1, not retained: a stale command must not be replayed). */
    public void send(Command command) throws MqttException {
        publish(Topics.cmd(command.getDeviceId()), Codecs.COMMAND.encode(command), false);
    }

    /**
     * Publishes a director assignment to its device, retained: a device that was offline (or restarts)
     * receives its current assignment when it subscribes, and a newer one replaces it.
     */
    public void sendAssignment(Assignment assignment) throws MqttException {
        publish(Topics.ota(assignment.getDeviceId()), Codecs.ASSIGNMENT.encode(assignment), true);
    }

    /**
     * Publishes the answer to a device's query on {@code responseTopic} with the query's MQTT 5 correlation data
     * (QoS 1, not retained). The caller has checked that the topic lies in the device's own subtree
     * ({@code io.nanofleet.server.ask.ResponseTopics}). Answers are not handed to local listeners: CoAP devices
     * get theirs in the response to their request.
     */
    public void sendAnswer(String responseTopic, Answer answer, byte[] correlationData) throws MqttException {
        byte[] payload = Codecs.ANSWER.encode(answer);
        try {
            transport.publish(responseTopic, payload, false, correlationData);
        } catch (MqttException e) {
            throw e;
        } catch (Exception e) {
            throw new MqttException(MqttException.REASON_CODE_CLIENT_EXCEPTION, e);
        }
    }

    /** Clears what the broker retains for a device (its last state and its assignment): an empty retained message each. */
    public void clearRetained(String deviceId) throws MqttException {
        for (String topic : new String[] {Topics.state(deviceId), Topics.ota(deviceId)}) {
            try {
                transport.publish(topic, new byte[0], true);
            } catch (Exception e) {
                throw new MqttException(MqttException.REASON_CODE_CLIENT_EXCEPTION, e);
            }
        }
    }

    private void publish(String topic, byte[] payload, boolean retained) throws MqttException {
        try {
            transport.publish(topic, payload, retained);
        } catch (MqttException e) {
            throw e;
        } catch (Exception e) {
            throw new MqttException(MqttException.REASON_CODE_CLIENT_EXCEPTION, e);
        }
        if (!transport.echoes()) {
            delivered(topic, payload);
        }
    }

    /** A downlink the broker carried (from this instance or another): to the local listeners. */
    public void delivered(String topic, byte[] payload) {
        DeviceAddress a;
        try {
            a = Topics.parse(topic);
        } catch (InvalidAddressException e) {
            return; // not a device topic: nothing to deliver
        }
        for (Listener l : listeners) {
            l.onDownlink(a, payload);
        }
    }

    public boolean isConnected() {
        return transport.isConnected();
    }
}
