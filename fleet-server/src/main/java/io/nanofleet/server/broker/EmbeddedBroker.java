package io.nanofleet.server.broker;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import com.hivemq.extension.sdk.api.services.publish.PublishService;
import com.hivemq.extension.sdk.api.services.session.ClientService;
import io.nanofleet.server.StartupException;
import io.nanofleet.server.identity.CertificateRegistry;
import io.nanofleet.server.identity.SessionControl;
import io.nanofleet.server.ingest.DeviceGateway;
import io.nanofleet.server.ingest.Downlinks;
import io.nanofleet.server.metrics.FleetMetrics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * HiveMQ CE running inside the server process, so small deployments need nothing else installed.
 * Listeners: the devices' mutual-TLS listener and optionally the plain development listener; the server
 * itself needs no MQTT client, so there is no listener for it.
 * Authentication and topic ACLs come from an extension registered in code ({@link DeviceAuthenticator}),
 * which also hands device uplinks (wills included) to the ingest step in-process and publishes downlinks
 * through HiveMQ's PublishService ({@link Downlinks.Transport}).
 * In-memory persistence: device sessions are cheap to rebuild, and every agent republishes its
 * retained state when it reconnects. So at start-up the broker holds no retained state, and every one it
 * retains later went through the interceptor, which is installed before the listeners open.
 */
public final class EmbeddedBroker implements AutoCloseable, SessionControl, Downlinks.Transport {
    static final String TLS_LISTENER = "devices-tls";
    static final String PLAIN_LISTENER = "dev-plain";
    /** The largest device message (an anomaly event, 256 KiB) plus MQTT headers. */
    public static final int MAX_PACKET_BYTES = 256 * 1024 + 1024;
    /**
     * Messages HiveMQ may queue per client and per shared subscription before it discards. The default
     * (1,000) is far too small for the server's single $share consumer of a whole fleet's telemetry: a burst
     * from 1,000 devices overflowed it and lost a quarter of the messages (7b's benchmark). Queues only grow
     * while a consumer lags, so the bound is memory in the worst case, not in the steady state.
     */
    static final int MAX_QUEUED_MESSAGES = 500_000;

    /** Listener set-up: plainPort < 0 disables the plain listener; tls null runs no TLS listener. */
    public record Options(String host, int plainPort, int tlsPort, BrokerTls tls) {}

    private final EmbeddedHiveMQ hivemq;
    private final Options options;
    private final Extension extension;

    private EmbeddedBroker(EmbeddedHiveMQ hivemq, Options options, Extension extension) {
        this.hivemq = hivemq;
        this.options = options;
        this.extension = extension;
    }

    /** Holds the client service once HiveMQ has started the extension. */
    static final class Extension implements ExtensionMain {
        private final DeviceAuthenticator authenticator;
        private final DeviceGateway gateway;
        volatile ClientService clients;
        volatile PublishService publisher;
        volatile com.hivemq.extension.sdk.api.services.publish.RetainedMessageStore retained;

        Extension(DeviceAuthenticator authenticator, DeviceGateway gateway) {
            this.authenticator = authenticator;
            this.gateway = gateway;
        }

        @Override
        public void extensionStart(ExtensionStartInput in, ExtensionStartOutput out) {
            Services.securityRegistry().setAuthenticatorProvider(p -> authenticator);
            if (gateway != null) {
                UplinkInterceptor interceptor = new UplinkInterceptor(gateway, Services.extensionExecutorService());
                AclDenials denials = new AclDenials(authenticator.metrics());
                Services.initializerRegistry().setClientInitializer((init, client) -> {
                    // Every client of this broker is a device (the server itself runs none), so every denial counts.
                    client.addPublishInboundInterceptor(interceptor);
                    client.addPublishInboundInterceptor(denials);
                    client.addSubscribeInboundInterceptor(denials);
                });
                WillForwarder wills = new WillForwarder(gateway, Services.extensionExecutorService());
                Services.eventRegistry().setClientLifecycleEventListener(p -> wills);
            }
            clients = Services.clientService();
            publisher = Services.publishService();
            retained = Services.retainedMessageStore();
            ClientService live = clients;
            authenticator.connectedProbe(live::isClientConnected);
        }

        @Override
        public void extensionStop(ExtensionStopInput in, ExtensionStopOutput out) {}
    }

    /**
     * An open broker with only a plain listener and no authentication or ACL: for component tests that
     * need an MQTT broker, never for serving devices.
     */
    public static EmbeddedBroker start(Path workDir, String host, int port) {
        return start(workDir, new Options(host, port, -1, null), null, null, null);
    }

    /** Plain listener URI, for {@link #start(Path, String, int)} brokers. */
    public String localUri() {
        return plainUri();
    }

    /**
     * With a null registry the broker runs without the authentication extension (see the 3-argument start).
     *
     * @param gateway null, or the ingest step: devices' state, telemetry, events, queries and wills then go to it
     *                inside the process ({@link UplinkInterceptor}, {@link WillForwarder}) and the server needs
     *                no MQTT subscription
     */
    public static EmbeddedBroker start(Path workDir, Options options, CertificateRegistry registry, FleetMetrics metrics,
                                       DeviceGateway gateway) {
        Extension extension = registry == null ? null : new Extension(new DeviceAuthenticator(registry, metrics), gateway);
        try {
            Path conf = Files.createDirectories(workDir.resolve("conf"));
            Path data = Files.createDirectories(workDir.resolve("data"));
            Path extensions = Files.createDirectories(workDir.resolve("extensions"));
            // The config holds the TLS store password: owner-only like the stores themselves.
            io.nanofleet.server.identity.SecretFiles.write(conf.resolve("config.xml"), configXml(options));
            var builder = EmbeddedHiveMQ.builder()
                    .withConfigurationFolder(conf)
                    .withDataFolder(data)
                    .withExtensionsFolder(extensions)
                    .withoutLoggingBootstrap();
            if (extension != null) {
                builder.withEmbeddedExtension(EmbeddedExtension.builder().withId("nanofleet-device-auth")
                        .withName("NanoFleet device authentication and ACL").withVersion("1").withPriority(1000)
                        .withStartPriority(1000).withAuthor("NanoFleet").withExtensionMain(extension).build());
            }
            EmbeddedHiveMQ hivemq = builder.build();
            hivemq.start().get(60, TimeUnit.SECONDS);
            return new EmbeddedBroker(hivemq, options, extension);
        } catch (IOException e) {
            throw new StartupException("cannot prepare the embedded broker's folders under " + workDir + ": " + e.getMessage()
                    + ". Choose a writable --data-dir.", e);
        } catch (Exception e) {
            throw new StartupException("the embedded MQTT broker did not start (" + (options.tls() != null ? "TLS port " + options.tlsPort() + ", " : "")
                    + (options.plainPort() >= 0 ? "plain port " + options.plainPort() : "") + "): " + e.getMessage()
                    + ". Choose other ports with --mqtts-port / --mqtt-port, or use --broker for an external broker.", e);
        }
    }

    static String configXml(Options o) {
        StringBuilder listeners = new StringBuilder();
        if (o.tls() != null) {
            listeners.append("""
                        <tls-tcp-listener>
                            <port>%d</port>
                            <bind-address>%s</bind-address>
                            <name>%s</name>
                            <tls>
                                <protocols><protocol>TLSv1.3</protocol><protocol>TLSv1.2</protocol></protocols>
                                <keystore>
                                    <path>%s</path>
                                    <password>%s</password>
                                    <private-key-password>%s</private-key-password>
                                </keystore>
                                <truststore>
                                    <path>%s</path>
                                    <password>%s</password>
                                </truststore>
                                <client-authentication-mode>REQUIRED</client-authentication-mode>
                            </tls>
                        </tls-tcp-listener>
                """.formatted(o.tlsPort(), o.host(), TLS_LISTENER, o.tls().keystore().toAbsolutePath(), o.tls().password(),
                o.tls().password(), o.tls().truststore().toAbsolutePath(), o.tls().password()));
        }
        if (o.plainPort() >= 0) {
            listeners.append("""
                            <tcp-listener>
                                <port>%d</port>
                                <bind-address>%s</bind-address>
                                <name>%s</name>
                            </tcp-listener>
                    """.formatted(o.plainPort(), o.host(), PLAIN_LISTENER));
        }
        return """
                <?xml version="1.0"?>
                <hivemq>
                    <listeners>
                %s    </listeners>
                    <mqtt>
                        <queued-messages>
                            <max-queue-size>%d</max-queue-size>
                            <strategy>discard</strategy>
                        </queued-messages>
                        <packets>
                            <max-packet-size>%d</max-packet-size>
                        </packets>
                    </mqtt>
                    <persistence>
                        <mode>in-memory</mode>
                    </persistence>
                    <anonymous-usage-statistics>
                        <enabled>false</enabled>
                    </anonymous-usage-statistics>
                </hivemq>
                """.formatted(listeners, MAX_QUEUED_MESSAGES, MAX_PACKET_BYTES);
    }

    private String localHost() {
        return options.host().equals("0.0.0.0") ? "127.0.0.1" : options.host();
    }

    /** Plain development listener for clients on this machine, or null when disabled. */
    public String plainUri() {
        return options.plainPort() >= 0 ? "tcp://" + localHost() + ":" + options.plainPort() : null;
    }

    /** TLS listener for clients on this machine. */
    public String tlsUri() {
        return "ssl://" + localHost() + ":" + options.tlsPort();
    }

    public int tlsPort() {
        return options.tlsPort();
    }

    @Override
    public void publish(String topic, byte[] payload, boolean retained, byte[] correlationData) throws Exception {
        PublishService publisher = extension == null ? null : extension.publisher;
        if (publisher == null) {
            throw new IllegalStateException("the broker runs without the server extension: no in-process publishing");
        }
        var publish = Builders.publish().topic(topic).qos(Qos.AT_LEAST_ONCE).retain(retained).payload(ByteBuffer.wrap(payload));
        if (correlationData != null) {
            publish.correlationData(ByteBuffer.wrap(correlationData));
        }
        publisher.publish(publish.build()).get(15, TimeUnit.SECONDS);
    }

    /** The payload the broker retains on {@code topic}, if any (what a subscriber would get first). */
    public java.util.Optional<byte[]> retainedPayload(String topic) throws Exception {
        var store = extension == null ? null : extension.retained;
        if (store == null) {
            throw new IllegalStateException("the broker runs without the server extension");
        }
        return store.getRetainedMessage(topic).get(15, TimeUnit.SECONDS).flatMap(m -> m.getPayload()).map(b -> {
            byte[] out = new byte[b.remaining()];
            b.duplicate().get(out);
            return out;
        });
    }

    @Override
    public boolean isConnected() {
        return true;
    }

    @Override
    public boolean echoes() {
        return false;
    }

    /** Client ids of the connected MQTT clients (devices and anything else), for tests and diagnostics. */
    public List<String> connectedClients() throws Exception {
        ClientService clients = extension == null ? null : extension.clients;
        if (clients == null) {
            return List.of();
        }
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        clients.iterateAllClients((ctx, session) -> {
            if (session.isConnected()) {
                ids.add(session.getClientIdentifier());
            }
        }).get(10, TimeUnit.SECONDS);
        return List.copyOf(ids);
    }

    /** Told (off the broker's threads) of every session takeover: a client connecting with the id of a connected one. */
    public void onSessionTakeover(java.util.function.BiConsumer<String, String> sink) {
        if (extension != null) {
            extension.authenticator.takeoverSink(sink);
        }
    }

    @Override
    public boolean isConnected(String clientId) {
        ClientService clients = extension == null ? null : extension.clients;
        try {
            return clients != null && clients.isClientConnected(clientId).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public boolean disconnect(String clientId) {
        ClientService clients = extension == null ? null : extension.clients;
        if (clients == null) {
            return false;
        }
        try {
            return clients.disconnectClient(clientId).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            hivemq.stop().get(30, TimeUnit.SECONDS);
            hivemq.close();
        } catch (Exception e) {
            // shutting down: nothing useful to do with the failure
        }
    }
}
