package io.nanofleet.agent.transport;

import io.nanofleet.agent.enroll.Credentials;
import io.nanofleet.agent.enroll.Pem;
import io.nanofleet.protocols.Channel;
import io.nanofleet.protocols.CoapPaths;
import io.nanofleet.protocols.DeviceAddress;
import io.nanofleet.protocols.Topics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

/**
 * CoAP uplink (Californium), the alternative to MQTT for constrained links: the same protobuf messages,
 * POSTed confirmable to {@code /v1/d/{id}/{channel}} (a publish completes on a 2.xx response), commands and
 * update assignments received by observing {@code /v1/d/{id}/cmd} and {@code /v1/d/{id}/ota}. With
 * {@code coaps://} the link is DTLS 1.2 with the device's X.509 certificate (Scandium), trusting the device
 * CA. "Connected" means the command observation is established; it is re-established with {@link Backoff}
 * after a failed exchange. CoAP has no retained messages or last will: the state POST is the latest state.
 */
public final class CoapUplink implements Uplink {
    static {
        CoapConfig.register();
        UdpConfig.register();
        DtlsConfig.register();
    }

    private final String base;
    private final String deviceId;
    private final ScheduledExecutorService scheduler;
    private final Backoff backoff;
    private final CoapEndpoint endpoint;
    private final AtomicLong failed = new AtomicLong();
    private volatile Listener listener;
    private volatile boolean connected;
    private volatile boolean everConnected;
    private volatile boolean stopped;
    private volatile boolean attempting;
    private final List<CoapObserveRelation> relations = new ArrayList<>();

    /** @param credentials device key, certificate and CA for coaps://; null for plain coap:// */
    public CoapUplink(String url, String deviceId, Credentials credentials, ScheduledExecutorService scheduler,
                      long reconnectMinMs, long reconnectMaxMs) throws IOException, GeneralSecurityException {
        this.base = url.replaceAll("/+$", "");
        this.deviceId = deviceId;
        this.scheduler = scheduler;
        this.backoff = new Backoff(reconnectMinMs, reconnectMaxMs, deviceId.hashCode() ^ System.nanoTime());
        Configuration cfg = Configuration.createStandardWithoutFile();
        if (url.startsWith("coaps://")) {
            if (credentials == null) {
                throw new GeneralSecurityException("coaps:// needs the device certificate; enroll first");
            }
            List<X509Certificate> chain = Pem.certificates(credentials.read(Credentials.CERT));
            List<X509Certificate> anchors = new ArrayList<>(Pem.certificates(credentials.read(Credentials.CA)));
            if (credentials.has(Credentials.SERVER_CA)) {
                anchors.addAll(Pem.certificates(credentials.read(Credentials.SERVER_CA)));
            }
            DtlsConnectorConfig.Builder dtls = DtlsConnectorConfig.builder(cfg)
                    .set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY)
                    .setCertificateIdentityProvider(new SingleCertificateProvider(credentials.privateKey(),
                            chain.toArray(new Certificate[0]), CertificateType.X_509))
                    .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                            .setTrustedCertificates(anchors.toArray(new Certificate[0])).build());
            this.endpoint = new CoapEndpoint.Builder().setConfiguration(cfg).setConnector(new DTLSConnector(dtls.build())).build();
        } else {
            this.endpoint = new CoapEndpoint.Builder().setConfiguration(cfg).setInetSocketAddress(new InetSocketAddress(0)).build();
        }
    }

    @Override
    public void start(Listener l) {
        this.listener = l;
        try {
            endpoint.start();
        } catch (IOException e) {
            failed.incrementAndGet();
        }
        scheduler.execute(this::attempt);
    }

    private CoapClient client(String path) {
        CoapClient c = new CoapClient(base + path);
        c.setEndpoint(endpoint);
        c.setTimeout(30_000L);
        return c;
    }

    private synchronized void attempt() {
        if (stopped || connected || attempting) {
            return;
        }
        attempting = true;
        relations.forEach(CoapObserveRelation::proactiveCancel);
        relations.clear();
        observe(Channel.OTA, false);
        observe(Channel.CMD, true);
    }

    private void observe(Channel channel, boolean decidesConnection) {
        String topic = Topics.topic(deviceId, channel);
        CoapClient c = client(CoapPaths.path(deviceId, channel));
        relations.add(c.observe(new CoapHandler() {
            private boolean first = true;

            @Override
            public void onLoad(CoapResponse response) {
                if (first) {
                    first = false;
                    if (decidesConnection) {
                        if (response.isSuccess()) {
                            onConnected();
                        } else {
                            onFailure();
                        }
                    }
                    // The registration answer carries the current value; only later notifications are messages.
                    if (response.getPayloadSize() == 0) {
                        return;
                    }
                }
                Listener l = listener;
                if (l != null && response.isSuccess() && response.getPayloadSize() > 0) {
                    l.message(topic, response.getPayload());
                }
            }

            @Override
            public void onError() {
                if (decidesConnection) {
                    onFailure();
                }
            }
        }));
    }

    private void onConnected() {
        boolean reconnect = everConnected;
        everConnected = true;
        attempting = false;
        connected = true;
        backoff.reset();
        Listener l = listener;
        if (l != null) {
            l.connected(reconnect);
        }
    }

    private void onFailure() {
        attempting = false;
        failed.incrementAndGet();
        lost("observation failed");
    }

    private void lost(String reason) {
        boolean was = connected;
        connected = false;
        if (was) {
            Listener l = listener;
            if (l != null) {
                l.disconnected(reason);
            }
        }
        if (!stopped && !attempting) {
            scheduler.schedule(this::attempt, backoff.nextDelayMs(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retained) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        DeviceAddress a;
        try {
            a = Topics.parse(topic);
        } catch (RuntimeException e) {
            f.completeExceptionally(e);
            return f;
        }
        Request post = Request.newPost();
        post.setConfirmable(qos > 0);
        post.setPayload(payload);
        post.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_OCTET_STREAM);
        CoapClient c = client(CoapPaths.path(a.deviceId(), a.channel()));
        c.advanced(new CoapHandler() {
            @Override
            public void onLoad(CoapResponse response) {
                if (response.isSuccess()) {
                    f.complete(null);
                } else {
                    f.completeExceptionally(new IOException("CoAP " + response.getCode() + " for " + topic + ": "
                            + response.getResponseText()));
                }
            }

            @Override
            public void onError() {
                f.completeExceptionally(new IOException("no CoAP response for " + topic));
                lost("request timed out");
            }
        }, post);
        return f;
    }

    @Override
    public void dropConnection() {
        stopped = true;
        connected = false;
        endpoint.stop();
    }

    @Override
    public long failedAttempts() {
        return failed.get();
    }

    @Override
    public synchronized void close() {
        stopped = true;
        connected = false;
        relations.forEach(CoapObserveRelation::proactiveCancel);
        relations.clear();
        endpoint.destroy();
    }
}
