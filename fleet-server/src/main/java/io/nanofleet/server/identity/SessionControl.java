package io.nanofleet.server.identity;

/** Ends a device's live MQTT session (after revocation). The embedded broker implements it. */
public interface SessionControl {
    /** Disconnects the client if connected; returns whether it was. */
    boolean disconnect(String clientId);

    /** Whether a client with this id is connected now (false when we cannot tell, e.g. an external broker). */
    default boolean isConnected(String clientId) {
        return false;
    }

    /** For an external broker: nothing we can do from here (the broker's CRL/ACL must take over). */
    SessionControl NONE = clientId -> false;
}
