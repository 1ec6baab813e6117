package io.nanofleet.server.store;

import java.util.List;

public record DeviceRow(String deviceId, boolean online, long firstSeenMs, long lastSeenMs, String agentVersion,
                        String hardwareId, List<String> channels) {}
