package io.nanofleet.server.store;

import java.util.List;

/**
 * @param registration "enrolled" (holds a certificate) or "dev" (first seen on the plain development listener)
 */
public record DeviceRow(String deviceId, boolean online, long firstSeenMs, long lastSeenMs, String agentVersion,
                        String hardwareId, List<String> channels, String group, List<String> tags, String registration) {}
