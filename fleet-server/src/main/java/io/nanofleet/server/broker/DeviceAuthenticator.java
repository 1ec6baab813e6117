package io.nanofleet.server.broker;

import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.client.parameter.ClientTlsInformation;
import com.hivemq.extension.sdk.api.client.parameter.Listener;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import com.hivemq.extension.sdk.api.packets.connect.WillPublishPacket;
import io.nanofleet.protocols.DeviceId;
import io.nanofleet.server.identity.CertificateRegistry;
import io.nanofleet.server.identity.DeviceCa;
import io.nanofleet.server.metrics.FleetMetrics;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Function;
import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides every MQTT CONNECT by the listener it arrived on:
 * <ul>
 *   <li>{@code devices-tls}: the TLS handshake already proved the client holds a certificate from our
 *       CA; here the client id must equal the certificate's CN, the serial must be one we issued to
 *       that device and not revoked. The device then gets its own-subtree ACL.</li>
 *   <li>{@code dev-plain}: development listener without authentication; devices still get the
 *       own-subtree ACL (client id = device id); revoked and enrolled device ids are refused (an enrolled
 *       device must prove itself with its certificate).</li>
 * </ul>
 */
final class DeviceAuthenticator implements SimpleAuthenticator {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceAuthenticator.class);

    private final CertificateRegistry registry;
    private final FleetMetrics metrics;
    private volatile Function<String, CompletableFuture<Boolean>> connected;
    private volatile BiConsumer<String, String> takeoverSink = (id, listener) -> {};

    DeviceAuthenticator(CertificateRegistry registry, FleetMetrics metrics) {
        this.registry = registry;
        this.metrics = metrics;
    }

    FleetMetrics metrics() {
        return metrics;
    }

    /** How to ask the broker whether a client id is connected (set once HiveMQ runs the extension). */
    void connectedProbe(Function<String, CompletableFuture<Boolean>> probe) {
        connected = probe;
    }

    void takeoverSink(BiConsumer<String, String> sink) {
        takeoverSink = sink;
    }

    @Override
    public void onConnect(SimpleAuthInput input, SimpleAuthOutput output) {
        String listener = input.getConnectionInformation().getListener().map(Listener::getName).orElse("");
        ConnectPacket connect = input.getConnectPacket();
        String clientId = connect.getClientId();
        switch (listener) {
            case EmbeddedBroker.TLS_LISTENER -> {
                Optional<X509Certificate> cert = input.getConnectionInformation().getClientTlsInformation()
                        .flatMap(ClientTlsInformation::getClientCertificate);
                if (cert.isEmpty()) {
                    refuse(output, "no_certificate", ConnackReasonCode.NOT_AUTHORIZED, "a client certificate is required");
                    return;
                }
                String cn = commonName(cert.get());
                if (cn == null || !cn.equals(clientId)) {
                    refuse(output, "client_id_mismatch", ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
                            "client id '" + clientId + "' must equal the certificate's CN '" + cn + "'");
                    return;
                }
                String refusal = registry.refusal(DeviceCa.serialHex(cert.get()), cn);
                if (refusal != null) {
                    refuse(output, refusal.contains("revoked") ? "revoked_certificate" : "unknown_certificate",
                            ConnackReasonCode.NOT_AUTHORIZED, refusal);
                    return;
                }
                device(clientId, "tls", connect, output);
            }
            default -> {
                if (DeviceId.problem(clientId) != null) {
                    refuse(output, "bad_client_id", ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
                            "client id must be a device id: " + DeviceId.problem(clientId));
                    return;
                }
                if (registry.isRevoked(clientId)) {
                    refuse(output, "revoked_certificate", ConnackReasonCode.NOT_AUTHORIZED, clientId + " is revoked");
                    return;
                }
                if (registry.isEnrolled(clientId)) {
                    // Otherwise anyone could speak for an enrolled device through the unauthenticated listener.
                    refuse(output, "enrolled_on_plain", ConnackReasonCode.NOT_AUTHORIZED,
                            clientId + " is enrolled: it must connect over TLS with its certificate");
                    return;
                }
                device(clientId, "plain", connect, output);
            }
        }
    }

    private void device(String deviceId, String listener, ConnectPacket connect, SimpleAuthOutput output) {
        String willRefusal = DeviceAcl.willRefusal(deviceId, connect.getWillPublish().map(WillPublishPacket::getTopic).orElse(null));
        if (willRefusal != null) {
            refuse(output, "will_not_allowed", ConnackReasonCode.NOT_AUTHORIZED, willRefusal);
            return;
        }
        DeviceAcl.apply(deviceId, output.getDefaultPermissions());
        Function<String, CompletableFuture<Boolean>> probe = connected;
        if (probe == null) {
            output.authenticateSuccessfully();
            return;
        }
        // A connection with the id of a live client takes its session over (MQTT): allowed (a device whose old
        // connection is half-open must get back in), but counted and recorded, never silent.
        Async<SimpleAuthOutput> async = output.async(Duration.ofSeconds(10), TimeoutFallback.FAILURE);
        probe.apply(deviceId).whenComplete((live, error) -> {
            if (Boolean.TRUE.equals(live)) {
                metrics.sessionTakeover(listener);
                LOG.warn("client {} on the {} listener takes over the live session of a connected client with the same id",
                        deviceId, listener);
                BiConsumer<String, String> sink = takeoverSink;
                CompletableFuture.runAsync(() -> sink.accept(deviceId, listener));
            }
            output.authenticateSuccessfully();
            async.resume();
        });
    }

    private void refuse(SimpleAuthOutput output, String reason, ConnackReasonCode code, String message) {
        metrics.rejected("broker", reason);
        LOG.debug("refused MQTT connection: {}", message);
        output.failAuthentication(code, message);
    }

    static String commonName(X509Certificate cert) {
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return String.valueOf(rdn.getValue());
                }
            }
        } catch (javax.naming.InvalidNameException e) {
            return null;
        }
        return null;
    }
}
