package io.nanofleet.server.ingest;

/**
 * Something in the server that consumes decoded device messages (storage, rollout signals, and later the
 * offload gateway or a dashboard stream). Called on the transport's thread, in arrival order per device;
 * must be quick, except that it may block while {@link #hasRoom()} is false (back-pressure to the device).
 */
public interface IngestListener {
    void onMessage(DeviceMessage message);

    /** False while {@link #onMessage} would block (a full queue). */
    default boolean hasRoom() {
        return true;
    }
}
