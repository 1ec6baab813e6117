package io.nanofleet.server.ingest;

import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.Query;
import io.nanofleet.protocols.v1.TelemetryBatch;

/**
 * One decoded, checked device uplink as the ingest step hands it to {@link IngestListener}s: its device id
 * matched the authenticated address and the device may send. Decoded once, whatever the transport.
 */
public sealed interface DeviceMessage permits DeviceMessage.State, DeviceMessage.Telemetry, DeviceMessage.Events,
        DeviceMessage.Ask {
    String deviceId();

    /** The server's arrival time. */
    long receivedMs();

    /** Which listeners this copy is for (see {@link Delivery}). */
    Delivery delivery();

    record State(DeviceState state, long receivedMs, Delivery delivery) implements DeviceMessage {
        @Override
        public String deviceId() {
            return state.getDeviceId();
        }
    }

    record Telemetry(TelemetryBatch batch, long receivedMs, Delivery delivery) implements DeviceMessage {
        @Override
        public String deviceId() {
            return batch.getDeviceId();
        }
    }

    record Events(Event event, long receivedMs, Delivery delivery) implements DeviceMessage {
        @Override
        public String deviceId() {
            return event.getDeviceId();
        }
    }

    /**
     * A device's question for the fleet (the ask channel), and where its answer goes ({@link AskReply}: the
     * MQTT 5 response topic and correlation data as sent, or the transport's own reply). Not stored; the
     * responder listens once per fleet ({@link IngestBus.Scope#ONCE}) and answers every one.
     */
    record Ask(Query query, AskReply reply, long receivedMs, Delivery delivery) implements DeviceMessage {
        @Override
        public String deviceId() {
            return query.getDeviceId();
        }
    }

    /**
     * How this server instance got the message. With the embedded broker, CoAP, and the non-shared state
     * subscription there is one copy per instance ({@link #ONLY}). Behind an external broker N instances split
     * telemetry, events and queries through shared subscriptions ({@link #SHARE}: this instance's share, to be stored
     * here and nowhere else) and every instance also gets every event through a plain subscription
     * ({@link #OBSERVED}: for in-memory views such as the rollout signals, already stored by whoever got the share).
     */
    enum Delivery {
        ONLY(true, true), SHARE(true, false), OBSERVED(false, true);

        private final boolean once;
        private final boolean everywhere;

        Delivery(boolean once, boolean everywhere) {
            this.once = once;
            this.everywhere = everywhere;
        }

        /** For {@link IngestBus.Scope#ONCE} listeners. */
        public boolean once() {
            return once;
        }

        /** For {@link IngestBus.Scope#EVERY_INSTANCE} listeners. */
        public boolean everywhere() {
            return everywhere;
        }

        static Delivery of(boolean once, boolean everywhere) {
            return once && everywhere ? ONLY : once ? SHARE : everywhere ? OBSERVED : null;
        }
    }
}
