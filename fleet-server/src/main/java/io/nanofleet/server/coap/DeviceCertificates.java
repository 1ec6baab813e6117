package io.nanofleet.server.coap;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * Certificate-based DTLS with the device CA: the server's own key and certificate (issued by the CA),
 * the CA devices' certificates must chain to, and the per-request check that a certificate is still
 * valid for its CN (enrolled, not revoked: the same registry the MQTT listener consults).
 */
public record DeviceCertificates(X509Certificate ca, PrivateKey serverKey, X509Certificate serverCertificate,
                                 CertificateCheck check) {
    /** Null when {@code cert} may act as device {@code cn}; otherwise the reason. */
    @FunctionalInterface
    public interface CertificateCheck {
        String refusal(X509Certificate cert, String cn);
    }
}
