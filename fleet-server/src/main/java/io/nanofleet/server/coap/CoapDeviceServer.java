package io.nanofleet.server.coap;

import io.nanofleet.protocols.CoapPaths;
import io.nanofleet.server.StartupException;
import io.nanofleet.server.ingest.DeviceGateway;
import io.nanofleet.server.ingest.Downlinks;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.security.cert.Certificate;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.elements.config.CertificateAuthenticationMode;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CoAP side of the device contract, over DTLS only (coaps://): the same messages as MQTT under
 * {@code /v1/d/{id}/...}, plus Block2 downloads of update targets under {@code /v1/targets/{name}}.
 * Devices authenticate with their device-CA certificate (CN = device id, checked against the
 * enrollment registry on every request) or with a per-device pre-shared key whose identity is their
 * device id ({@link CoapKeys}); each may touch only its own resources.
 */
public final class CoapDeviceServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoapDeviceServer.class);

    static {
        CoapConfig.register();
        UdpConfig.register();
        DtlsConfig.register();
    }

    private final String host;
    private final int port;
    private final CoapKeys keys;
    private final DeviceGateway gateway;
    private final TargetSource targets;
    private final Downlinks downlinks;
    private DeviceCertificates certificates;
    private CoapServer server;
    private int boundPort;

    /** Uplinks go to the ingest step ({@code gateway}); observers are notified of what {@code downlinks} sends. */
    public CoapDeviceServer(String host, int port, CoapKeys keys, DeviceGateway gateway, TargetSource targets,
                            Downlinks downlinks) {
        this.host = host;
        this.port = port;
        this.keys = keys;
        this.gateway = gateway;
        this.targets = targets;
        this.downlinks = downlinks;
    }

    /**
     * Also accept devices with certificates from the device CA (besides PSK). Call before {@link #start()}.
     */
    public CoapDeviceServer certificates(DeviceCertificates c) {
        this.certificates = c;
        return this;
    }

    /** The CoAP configuration every NanoFleet endpoint uses (server and test clients alike). */
    public static Configuration configuration() {
        Configuration c = new Configuration();
        c.set(CoapConfig.PREFERRED_BLOCK_SIZE, 512);
        c.set(CoapConfig.MAX_MESSAGE_SIZE, 1024);
        c.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, 64 * 1024 * 1024);
        return c;
    }

    public CoapDeviceServer start() {
        if (port != 0) {
            requireFreeUdp();
        }
        Configuration config = configuration();
        config.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.SERVER_ONLY);
        DtlsConnectorConfig.Builder b = DtlsConnectorConfig.builder(config)
                .setAddress(new InetSocketAddress(host, port))
                .setAdvancedPskStore(new DevicePskStore(keys));
        if (certificates != null) {
            // A PSK client sends no certificate, so client certificates are wanted, not needed; a
            // certificate that is sent must chain to the device CA.
            config.set(DtlsConfig.DTLS_CLIENT_AUTHENTICATION_MODE, CertificateAuthenticationMode.WANTED);
            b.setCertificateIdentityProvider(new SingleCertificateProvider(certificates.serverKey(),
                    new Certificate[] {certificates.serverCertificate(), certificates.ca()}, CertificateType.X_509));
            b.setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                    .setTrustedCertificates(certificates.ca()).build());
        }
        DtlsConnectorConfig dtls = b.build();
        DTLSConnector connector = new DTLSConnector(dtls);
        CoapEndpoint endpoint = new CoapEndpoint.Builder().setConfiguration(config).setConnector(connector).build();
        server = new CoapServer(config);
        server.addEndpoint(endpoint);
        CoapResource v1 = new CoapResource(CoapPaths.VERSION);
        Peers peers = new Peers(certificates == null ? null : certificates.check());
        DevicesResource devices = new DevicesResource(gateway, peers);
        v1.add(devices);
        v1.add(new TargetsResource(targets, peers, config.get(CoapConfig.PREFERRED_BLOCK_SIZE)));
        server.add(v1);
        try {
            server.start();
        } catch (IllegalStateException e) {
            throw new StartupException("the CoAP endpoint did not start on UDP " + host + ":" + port + ": " + e.getMessage()
                    + ". Choose another --coap-port.", e);
        }
        boundPort = endpoint.getAddress().getPort();
        downlinks.addListener(new DownlinkBridge(devices));
        LOG.info("CoAP over DTLS on UDP port {}", boundPort);
        return this;
    }

    /** Californium logs a bind failure and carries on; we want the operator to see it, with the flag. */
    private void requireFreeUdp() {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(host, port))) {
            s.getLocalPort();
        } catch (SocketException e) {
            throw new StartupException("UDP port " + port + " on " + host + " (CoAP) is in use or not bindable: "
                    + e.getMessage() + ". Choose another --coap-port.", e);
        }
    }

    public int port() {
        return boundPort;
    }

    public CoapKeys keys() {
        return keys;
    }

    @Override
    public void close() {
        if (server != null) {
            server.destroy();
        }
    }
}
