package io.nanofleet.server.coap;

import io.nanofleet.protocols.DeviceId;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import javax.crypto.SecretKey;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.PskPublicInformation;
import org.eclipse.californium.scandium.dtls.PskSecretResult;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedPskStore;
import org.eclipse.californium.scandium.util.SecretUtil;
import org.eclipse.californium.scandium.util.ServerNames;

/**
 * Server-side PSK lookup: the PSK identity is the device id, its key is derived by {@link CoapKeys}.
 * An identity that is not a valid device id gets no key, so the handshake fails without revealing why.
 */
final class DevicePskStore implements AdvancedPskStore {
    private final CoapKeys keys;

    DevicePskStore(CoapKeys keys) {
        this.keys = keys;
    }

    @Override
    public boolean hasEcdhePskSupported() {
        return true;
    }

    @Override
    public PskSecretResult requestPskSecretResult(ConnectionId cid, ServerNames serverName, PskPublicInformation identity,
                                                  String hmacAlgorithm, SecretKey otherSecret, byte[] seed,
                                                  boolean useExtendedMasterSecret) {
        String id = identity.getPublicInfoAsString();
        if (!DeviceId.isValid(id)) {
            return new PskSecretResult(cid, identity, null);
        }
        byte[] psk = keys.pskFor(id).getBytes(StandardCharsets.UTF_8);
        return new PskSecretResult(cid, identity, SecretUtil.create(psk, PskSecretResult.ALGORITHM_PSK));
    }

    @Override
    public PskPublicInformation getIdentity(InetSocketAddress peerAddress, ServerNames virtualHost) {
        return null; // server only: never starts a handshake as a client
    }

    @Override
    public void setResultHandler(HandshakeResultHandler resultHandler) {
        // answers synchronously
    }
}
