package io.nanofleet.server.ingest;

import io.nanofleet.server.identity.CertificateRegistry;

/**
 * The server's {@link DevicePolicy}: revoked devices never send. With the plain development listener on,
 * any other id may (the demo's simulated devices are never enrolled); otherwise only devices holding a
 * valid certificate may.
 */
public final class EnrollmentPolicy implements DevicePolicy {
    private final CertificateRegistry registry;
    private final boolean devMode;

    public EnrollmentPolicy(CertificateRegistry registry, boolean devMode) {
        this.registry = registry;
        this.devMode = devMode;
    }

    @Override
    public IngestCounters.Reject refuse(String deviceId) {
        if (registry.isRevoked(deviceId)) {
            return IngestCounters.Reject.REVOKED_DEVICE;
        }
        if (!devMode && !registry.isEnrolled(deviceId)) {
            return IngestCounters.Reject.UNKNOWN_DEVICE;
        }
        return null;
    }
}
