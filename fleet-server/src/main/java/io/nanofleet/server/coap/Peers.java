package io.nanofleet.server.coap;

import java.security.Principal;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;

/** Who is on the other end of a DTLS session, as the device id the handshake proved. */
final class Peers {
    private Peers() {}

    /** The device id the DTLS handshake authenticated, or null (no DTLS, or another kind of credential). */
    static String deviceId(CoapExchange ex) {
        Principal p = ex.advanced().getRequest().getSourceContext().getPeerIdentity();
        if (p instanceof PreSharedKeyIdentity) {
            return ((PreSharedKeyIdentity) p).getIdentity();
        }
        return null;
    }

    /**
     * Lets the request through only when the session's device id is the path's: the CoAP counterpart of
     * the broker's topic ACL. Answers 4.01/4.03 and returns false otherwise.
     */
    static boolean mayActAs(CoapExchange ex, String deviceId) {
        String peer = deviceId(ex);
        if (peer == null) {
            ex.respond(ResponseCode.UNAUTHORIZED, "a DTLS session with a device identity is required");
            return false;
        }
        if (!peer.equals(deviceId)) {
            ex.respond(ResponseCode.FORBIDDEN, "device '" + peer + "' may not use the resources of device '" + deviceId + "'");
            return false;
        }
        return true;
    }
}
