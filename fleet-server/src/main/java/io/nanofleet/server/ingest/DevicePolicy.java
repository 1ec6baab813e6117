package io.nanofleet.server.ingest;

/** Whether messages from a device id may be stored: null accepts, otherwise the reason to reject. */
public interface DevicePolicy {
    IngestCounters.Reject refuse(String deviceId);

    DevicePolicy ACCEPT_ALL = id -> null;
}
