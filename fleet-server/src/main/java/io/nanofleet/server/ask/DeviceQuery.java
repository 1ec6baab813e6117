package io.nanofleet.server.ask;

import io.nanofleet.protocols.v1.Query;

/**
 * One question a device handed to the fleet, as an {@link Answerer} sees it: checked by the ingest step
 * (decoded once, device id equal to the authenticated one), with nothing of the transport in it.
 *
 * @param deviceId   the asking device (equal to {@code query.getDeviceId()})
 * @param query      the query as the device sent it: text, what its own model made of it, context
 * @param receivedMs the server's arrival time
 */
public record DeviceQuery(String deviceId, Query query, long receivedMs) {
    public String queryId() {
        return query.getQueryId();
    }

    public String text() {
        return query.getText();
    }
}
