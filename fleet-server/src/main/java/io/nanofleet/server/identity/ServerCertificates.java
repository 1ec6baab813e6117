package io.nanofleet.server.identity;

import io.nanofleet.server.StartupException;
import io.nanofleet.server.ingest.BrokerConnection;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/** Certificates the server issues to itself from the device CA, fresh at each start. */
public final class ServerCertificates {
    /** The CN (and, with use_identity_as_username, the MQTT user name) of the server's own broker client. */
    public static final String SERVER_IDENTITY = "nanofleet-server";

    private final DeviceCa ca;
    private final LongSupplier clock;

    public ServerCertificates(DeviceCa ca, LongSupplier clock) {
        this.ca = ca;
        this.clock = clock;
    }

    /** Host names for server certificates: the public host (if any) plus the defaults. */
    public static List<String> serverNames(String publicHost) {
        List<String> names = new ArrayList<>();
        if (publicHost != null) {
            names.add(publicHost);
        }
        return DeviceCa.defaultServerNames(names);
    }

    /**
     * The API's HTTPS key and certificate: a device that has the CA certificate
     * (nanofleet-agent enroll --server-ca ca-cert.pem) can check it before sending its token.
     */
    public KeyCertOptions https(String publicHost) {
        try {
            KeyPair kp = DeviceCa.newEcKeyPair();
            X509Certificate cert = ca.issueServer(kp.getPublic(), serverNames(publicHost), clock.getAsLong(), Duration.ofDays(397));
            return new PemKeyCertOptions()
                    .setKeyValue(Buffer.buffer(Pem.encode("PRIVATE KEY", kp.getPrivate().getEncoded())))
                    .setCertValue(Buffer.buffer(Pem.encode(cert) + ca.certificatePem()));
        } catch (GeneralSecurityException e) {
            throw new StartupException("cannot create the HTTPS certificate: " + e.getMessage(), e);
        }
    }

    /** mqtt:// connects plainly; mqtts:// with a client certificate CN=nanofleet-server from the device CA. */
    public BrokerConnection brokerClient(String pahoUri) {
        if (!pahoUri.startsWith("ssl://")) {
            return BrokerConnection.plain(pahoUri);
        }
        try {
            KeyPair kp = DeviceCa.newEcKeyPair();
            X509Certificate cert = ca.issueDevice(SERVER_IDENTITY, kp.getPublic(), clock.getAsLong(), Duration.ofDays(30));
            return new BrokerConnection(pahoUri, null, null,
                    TlsContexts.client(kp.getPrivate(), cert, ca.certificate()).getSocketFactory());
        } catch (GeneralSecurityException e) {
            throw new StartupException("cannot create the server's broker client certificate: " + e.getMessage(), e);
        }
    }
}
