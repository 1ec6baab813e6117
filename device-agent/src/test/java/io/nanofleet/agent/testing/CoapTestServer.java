package io.nanofleet.agent.testing;

import io.nanofleet.protocols.Channel;
import java.net.InetSocketAddress;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

/** The server's CoAP side for one device, in-test (Californium): uplink POSTs recorded, commands pushed by Observe. */
public final class CoapTestServer implements AutoCloseable {
    private final CoapServer server;
    private final Map<String, List<byte[]>> received = new ConcurrentHashMap<>();
    private final Observable cmd = new Observable("cmd");
    private final int port;
    public volatile String clientIdentity;

    private static final class Observable extends CoapResource {
        volatile byte[] value = new byte[0];

        Observable(String name) {
            super(name);
            setObservable(true);
        }

        @Override
        public void handleGET(CoapExchange ex) {
            ex.respond(CoAP.ResponseCode.CONTENT, value);
        }
    }

    public CoapTestServer(String deviceId, PrivateKey key, Certificate[] chain, Certificate[] trusted) throws Exception {
        Configuration cfg = Configuration.createStandardWithoutFile();
        this.port = Mosquitto.freePort();
        server = new CoapServer(cfg);
        if (key != null) {
            DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(cfg)
                    .setAddress(new InetSocketAddress("127.0.0.1", port))
                    .set(DtlsConfig.DTLS_CLIENT_AUTHENTICATION_MODE, org.eclipse.californium.elements.config.CertificateAuthenticationMode.NEEDED)
                    .setCertificateIdentityProvider(new SingleCertificateProvider(key, chain, CertificateType.X_509))
                    .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder().setTrustedCertificates(trusted).build())
                    .build();
            server.addEndpoint(new CoapEndpoint.Builder().setConfiguration(cfg).setConnector(new DTLSConnector(dtls)).build());
        } else {
            server.addEndpoint(new CoapEndpoint.Builder().setConfiguration(cfg).setInetSocketAddress(new InetSocketAddress("127.0.0.1", port)).build());
        }
        CoapResource device = new CoapResource(deviceId);
        for (Channel ch : List.of(Channel.STATE, Channel.TELEMETRY, Channel.EVENTS)) {
            device.add(new CoapResource(ch.segment()) {
                @Override
                public void handlePOST(CoapExchange ex) {
                    if (ex.advanced().getRequest().getSourceContext().getPeerIdentity() != null) {
                        clientIdentity = ex.advanced().getRequest().getSourceContext().getPeerIdentity().getName();
                    }
                    received.computeIfAbsent(ch.segment(), k -> new CopyOnWriteArrayList<>()).add(ex.getRequestPayload());
                    ex.respond(CoAP.ResponseCode.CHANGED);
                }
            });
        }
        device.add(cmd);
        device.add(new Observable("ota"));
        server.add(new CoapResource("v1").add(new CoapResource("d").add(device)));
        server.start();
    }

    public String url(boolean secure) {
        return (secure ? "coaps" : "coap") + "://127.0.0.1:" + port;
    }

    public List<byte[]> received(Channel ch) {
        return received.getOrDefault(ch.segment(), List.of());
    }

    public void pushCommand(byte[] payload) {
        cmd.value = payload;
        cmd.changed();
    }

    @Override
    public void close() {
        server.destroy();
    }
}
