package io.nanofleet.agent.transport;

import java.util.concurrent.CompletableFuture;

/**
 * The agent's link to the fleet (MQTT 5 or CoAP): reconnects by itself, delivers server-to-device messages to
 * the listener, and completes a publish's future only when the server side has acknowledged it (MQTT PUBACK,
 * CoAP ACK with a 2.xx response). Topics are MQTT topic names; CoAP maps them to its paths.
 */
public interface Uplink extends AutoCloseable {
    /** Callbacks; called from the transport's threads, so they must not block for long. */
    interface Listener {
        /** Connected (again): subscriptions are in place; the forwarder should resend what is unacknowledged. */
        void connected(boolean reconnect);

        void disconnected(String reason);

        void message(String topic, byte[] payload);

        /**
         * A message with the MQTT 5 correlation data it carried (null when none): the answers to the device's
         * questions. Transports that know correlation data call this one; by default it ignores the data.
         */
        default void message(String topic, byte[] payload, byte[] correlationData) {
            message(topic, payload);
        }

        /**
         * What the broker publishes, retained, if the link dies without a clean goodbye (an MQTT last will);
         * asked at every connection attempt, so it describes the agent as it is then. Null: no will.
         */
        default byte[] lastWill() {
            return null;
        }
    }

    /** Starts connecting; returns at once, keeps retrying with {@link Backoff} until {@link #close}. */
    void start(Listener listener);

    boolean isConnected();

    /** Completes after the acknowledgement, exceptionally when the message did not get through. */
    CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retained);

    /** Whether {@link #request} works on this transport (MQTT 5: yes; CoAP: no). */
    default boolean carriesRequests() {
        return false;
    }

    /**
     * Publishes a request (QoS 1, not retained) whose answer the server sends to {@code responseTopic} with the
     * same {@code correlationData} (MQTT 5 request/response). Completes on the acknowledgement.
     */
    default CompletableFuture<Void> request(String topic, byte[] payload, String responseTopic, byte[] correlationData) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(
                "this transport has no response topics; questions to the fleet need MQTT 5"));
    }

    /** Drops the link without a clean goodbye (tests: the broker then publishes the last will). */
    void dropConnection();

    /** Number of connection attempts that failed since start (a health figure). */
    long failedAttempts();

    @Override
    void close();
}
