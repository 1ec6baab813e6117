package io.nanofleet.server.broker;

import io.nanofleet.protocols.DeviceAddress;

/** Where the embedded broker hands devices' telemetry and events: the server's ingest path. */
public interface UplinkRoute {
    /** False when the ingest queue is full and {@link #ingest} would block. */
    boolean hasRoom();

    /** Decodes, checks and queues one uplink; may block while the queue is full. */
    void ingest(DeviceAddress address, byte[] payload);
}
