package io.nanofleet.server.ingest;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each decoded device message to the server's in-process listeners. A new consumer is one line:
 * {@code bus.add(Scope.ONCE, listener)}. A listener that throws is logged and does not stop the others.
 */
public final class IngestBus {
    private static final Logger LOG = LoggerFactory.getLogger(IngestBus.class);

    /** Which copies of a message a listener wants (see {@link DeviceMessage.Delivery}). */
    public enum Scope {
        /** Each message once across all server instances: storage, anything with side effects. */
        ONCE,
        /** Every message on every instance: in-memory views (rollout signals, dashboards). */
        EVERY_INSTANCE;

        boolean takes(DeviceMessage.Delivery d) {
            return this == ONCE ? d.once() : d.everywhere();
        }
    }

    private record Entry(Scope scope, IngestListener listener) {}

    private final List<Entry> listeners = new CopyOnWriteArrayList<>();

    public IngestBus add(Scope scope, IngestListener listener) {
        listeners.add(new Entry(scope, listener));
        return this;
    }

    public void publish(DeviceMessage message) {
        for (Entry e : listeners) {
            if (e.scope().takes(message.delivery())) {
                try {
                    e.listener().onMessage(message);
                } catch (RuntimeException ex) {
                    LOG.warn("ingest listener {} failed on a message from {}: {}", e.listener().getClass().getSimpleName(),
                            message.deviceId(), ex.toString());
                }
            }
        }
    }

    /** False while any listener would block. */
    public boolean hasRoom() {
        for (Entry e : listeners) {
            if (!e.listener().hasRoom()) {
                return false;
            }
        }
        return true;
    }
}
