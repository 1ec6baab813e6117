package io.nanofleet.server.coap;

import java.security.Principal;
import java.security.cert.X509Certificate;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.elements.auth.X509CertPath;

/**
 * Who is on the other end of a DTLS session, as the device id the handshake proved: the PSK identity,
 * or the CN of a device-CA certificate that the registry still accepts (checked on every request, so a
 * revocation takes effect at once, not only at the next handshake).
 */
final class Peers {
    private final DeviceCertificates.CertificateCheck check;

    Peers(DeviceCertificates.CertificateCheck check) {
        this.check = check;
    }

    /** The device id the DTLS handshake authenticated, or null. */
    String deviceId(CoapExchange ex) {
        Principal p = ex.advanced().getRequest().getSourceContext().getPeerIdentity();
        if (p instanceof PreSharedKeyIdentity) {
            return ((PreSharedKeyIdentity) p).getIdentity();
        }
        if (p instanceof X509CertPath && check != null) {
            X509CertPath path = (X509CertPath) p;
            String cn = path.getCN();
            X509Certificate leaf = (X509Certificate) path.getPath().getCertificates().get(0);
            return cn != null && check.refusal(leaf, cn) == null ? cn : null;
        }
        return null;
    }

    /**
     * Lets the request through only when the session's device id is the path's: the CoAP counterpart of
     * the broker's topic ACL. Answers 4.01/4.03 and returns false otherwise.
     */
    boolean mayActAs(CoapExchange ex, String deviceId) {
        String peer = deviceId(ex);
        if (peer == null) {
            ex.respond(ResponseCode.UNAUTHORIZED, "a DTLS session with a valid device identity is required");
            return false;
        }
        if (!peer.equals(deviceId)) {
            ex.respond(ResponseCode.FORBIDDEN, "device '" + peer + "' may not use the resources of device '" + deviceId + "'");
            return false;
        }
        return true;
    }
}
