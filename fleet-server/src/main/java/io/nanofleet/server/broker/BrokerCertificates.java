package io.nanofleet.server.broker;

import io.nanofleet.server.identity.DeviceCa;
import io.nanofleet.server.identity.Pem;
import io.nanofleet.server.identity.SecretFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * Files an external broker (Mosquitto) needs to serve NanoFleet devices: the device CA certificate
 * (to verify device certificates) and a server certificate from that CA (so devices, which trust only
 * the CA they got at enrollment, accept the broker). {@code nanofleet-server broker-cert} writes them.
 */
public final class BrokerCertificates {
    public static final Duration VALIDITY = Duration.ofDays(397);

    private BrokerCertificates() {}

    /** Writes ca-cert.pem, broker-cert.pem and broker-key.pem (owner-only) into {@code dir}. */
    public static X509Certificate write(DeviceCa ca, List<String> hosts, Path dir) throws IOException, GeneralSecurityException {
        Files.createDirectories(dir);
        KeyPair kp = DeviceCa.newEcKeyPair();
        X509Certificate cert = ca.issueServer(kp.getPublic(), hosts, System.currentTimeMillis(), VALIDITY);
        Files.writeString(dir.resolve("ca-cert.pem"), ca.certificatePem());
        Files.writeString(dir.resolve("broker-cert.pem"), Pem.encode(cert) + ca.certificatePem());
        SecretFiles.write(dir.resolve("broker-key.pem"), Pem.encode("PRIVATE KEY", kp.getPrivate().getEncoded()));
        return cert;
    }
}
