package io.nanofleet.ota.director;

import io.nanofleet.ota.metadata.TargetFile;

import java.time.Instant;
import java.util.Map;

/**
 * What the fleet server tells one device to install. Signed as TUF-style metadata of type
 * {@value #TYPE} by the director key(s) that root lists under {@code x-nanofleet-roles.director}.
 */
public record DirectorAssignment(String deviceId, String targetName, long length, Map<String, String> hashes,
                                 String hardwareId, long releaseCounter, long version, Instant expires) {
    public static final String TYPE = "director-assignment";

    /**
     * Assigns {@code target} as the image repository lists it (length, hashes, release counter) to one device;
     * {@code hardwareId} is the device's, empty when unknown.
     */
    public static DirectorAssignment of(String deviceId, String hardwareId, TargetFile target, long version, Instant expires) {
        return new DirectorAssignment(deviceId, target.name(), target.length(), target.hashes(),
                hardwareId == null ? "" : hardwareId, target.releaseCounter(), version, expires);
    }

    public DirectorAssignment {
        hashes = Map.copyOf(hashes);
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1");
        }
    }
}
