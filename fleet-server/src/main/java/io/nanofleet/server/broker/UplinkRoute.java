package io.nanofleet.server.broker;

import io.nanofleet.protocols.DeviceAddress;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/** Where the embedded broker hands devices' telemetry and events: the server's ingest path. */
public interface UplinkRoute {
    /** False when the ingest queue is full and {@link #ingest} would block. */
    boolean hasRoom();

    /** Decodes, checks and queues one uplink; may block while the queue is full. */
    void ingest(DeviceAddress address, byte[] payload);

    static UplinkRoute of(BooleanSupplier hasRoom, BiConsumer<DeviceAddress, byte[]> ingest) {
        return new UplinkRoute() {
            @Override
            public boolean hasRoom() {
                return hasRoom.getAsBoolean();
            }

            @Override
            public void ingest(DeviceAddress address, byte[] payload) {
                ingest.accept(address, payload);
            }
        };
    }
}
