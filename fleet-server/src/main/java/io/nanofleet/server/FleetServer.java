package io.nanofleet.server;

import io.nanofleet.server.api.ApiContext;
import io.nanofleet.server.api.ApiServer;
import io.nanofleet.server.api.DeviceRoutes;
import io.nanofleet.server.api.HealthHandler;
import io.nanofleet.server.api.OperatorRoutes;
import io.nanofleet.server.api.RouteModule;
import io.nanofleet.server.api.auth.ApiTokens;
import io.nanofleet.server.api.auth.BootstrapToken;
import io.nanofleet.server.audit.AuditLog;
import io.nanofleet.server.broker.BrokerTls;
import io.nanofleet.server.broker.EmbeddedBroker;
import io.nanofleet.server.broker.UplinkRoute;
import io.nanofleet.server.commands.CommandRoutes;
import io.nanofleet.server.commands.CommandService;
import io.nanofleet.server.commands.CommandSigner;
import io.nanofleet.server.identity.CertificateRegistry;
import io.nanofleet.server.identity.DeviceCa;
import io.nanofleet.server.identity.DeviceEndpoints;
import io.nanofleet.server.identity.Identity;
import io.nanofleet.server.identity.IdentityRoutes;
import io.nanofleet.server.identity.SessionControl;
import io.nanofleet.server.identity.TlsContexts;
import io.nanofleet.server.ingest.BrokerConnection;
import io.nanofleet.server.ingest.DeviceGateway;
import io.nanofleet.server.ingest.DevicePolicy;
import io.nanofleet.server.ingest.IngestCounters;
import io.nanofleet.server.metrics.FleetMetrics;
import io.nanofleet.server.metrics.MetricsRoutes;
import io.nanofleet.server.models.UpdateServices;
import io.nanofleet.server.rollout.RolloutAudit;
import io.nanofleet.server.store.BatchWriter;
import io.nanofleet.server.store.FleetStore;
import io.nanofleet.server.store.Retention;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet server process: store, device CA, broker (embedded unless external), device gateway,
 * HTTP API. Starts in that order and stops in reverse, so no message is accepted that cannot be stored.
 */
public final class FleetServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FleetServer.class);
    static final long REGISTRY_RELOAD_MS = 10_000;
    static final long MAINTENANCE_MINUTES = 10;

    private final ServerConfig config;
    private final LongSupplier clock;
    private FleetStore store;
    private BatchWriter writer;
    private EmbeddedBroker broker;
    private DeviceGateway gateway;
    private Vertx vertx;
    private ApiServer api;
    private String brokerUri;
    private int httpPort;
    private ApiContext apiContext;
    private String adminToken;
    private FleetMetrics metrics;
    private Identity identity;
    private CommandSigner commandSigner;
    private java.util.concurrent.ScheduledExecutorService maintenance;
    private UpdateServices updates;

    public FleetServer(ServerConfig config) {
        this(config, System::currentTimeMillis);
    }

    public FleetServer(ServerConfig config, LongSupplier clock) {
        this.config = config;
        this.clock = clock;
    }

    public FleetServer start() {
        try {
            startComponents();
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void startComponents() {
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new StartupException("cannot create the data directory " + config.dataDir() + ": " + e.getMessage()
                    + ". Choose a writable --data-dir.", e);
        }
        Ports.requireFree("HTTP", config.httpHost(), config.httpPort(), "--http-port");
        if (!config.usesExternalBroker()) {
            if (config.plainMqtt()) {
                Ports.requireFree("MQTT", config.mqttHost(), config.mqttPort(), "--mqtt-port");
            }
            Ports.requireFree("MQTT TLS", config.mqttHost(), config.mqttsPort(), "--mqtts-port");
        }
        store = FleetStore.open(config.jdbcUrl());
        writer = new BatchWriter(store, 100_000);
        metrics = new FleetMetrics();
        DeviceCa ca = DeviceCa.openOrCreate(config.dataDir().resolve("ca"), caPassword());
        CertificateRegistry registry = new CertificateRegistry(store);
        try {
            registry.reload();
        } catch (java.sql.SQLException e) {
            throw new StartupException("cannot read issued certificates from the database: " + e.getMessage(), e);
        }
        identity = new Identity(store, ca, registry, clock);
        commandSigner = CommandSigner.openOrCreate(config.dataDir());
        BrokerConnection connection;
        // The embedded broker hands telemetry and events straight to the gateway once it exists.
        CompletableFuture<UplinkRoute> uplinks = new CompletableFuture<>();
        String mqttScheme;
        int devicePort;
        if (config.usesExternalBroker()) {
            connection = externalConnection(config.externalBroker(), ca);
            brokerUri = connection.uri();
            URI u = URI.create(config.externalBroker());
            mqttScheme = u.getScheme().equals("mqtts") ? "mqtts" : "mqtt";
            devicePort = u.getPort() > 0 ? u.getPort() : (mqttScheme.equals("mqtts") ? 8883 : 1883);
        } else {
            int plain = !config.plainMqtt() ? -1 : config.mqttPort() == 0 ? Ports.freePort() : config.mqttPort();
            int tls = config.mqttsPort() == 0 ? Ports.freePort() : config.mqttsPort();
            List<String> names = new ArrayList<>();
            if (config.publicHost() != null) {
                names.add(config.publicHost());
            }
            BrokerTls stores = BrokerTls.create(config.dataDir().resolve("broker").resolve("tls"), ca,
                    DeviceCa.defaultServerNames(names));
            broker = EmbeddedBroker.start(config.dataDir().resolve("broker"),
                    new EmbeddedBroker.Options(config.mqttHost(), plain, tls, stores), Ports.freePort(), registry, metrics, uplinks);
            connection = new BrokerConnection(broker.internalUri(), broker.internalUser(), broker.internalPassword(), null);
            brokerUri = broker.plainUri() != null ? broker.plainUri() : broker.tlsUri();
            mqttScheme = "mqtts";
            devicePort = tls;
        }
        gateway = new DeviceGateway(connection,
                config.usesExternalBroker() ? DeviceGateway.Subscription.SHARED : DeviceGateway.Subscription.STATE_ONLY,
                writer, clock);
        gateway.policy(devicePolicy(registry));
        gateway.start();
        uplinks.complete(UplinkRoute.of(gateway::hasRoom, gateway::ingest));
        metrics.bindFleet(gateway.counters(), writer, this::connectedDevices);
        vertx = Vertx.vertx();
        ApiTokens tokens = new ApiTokens(store, clock);
        adminToken = BootstrapToken.ensure(tokens, config.dataDir());
        apiContext = new ApiContext(vertx, store, new AuditLog(store, clock), tokens, clock, r -> metrics.rejected("api", r))
                .register(ServerConfig.class, config)
                .register(DeviceGateway.class, gateway)
                .register(BatchWriter.class, writer)
                .register(FleetMetrics.class, metrics)
                .register(Identity.class, identity)
                .register(CommandSigner.class, commandSigner)
                .register(CommandService.class, new CommandService(store, gateway, commandSigner, clock))
                .register(Retention.class, new Retention(store, config.rawRetention(), clock))
                .register(SessionControl.class, broker != null ? broker : SessionControl.NONE)
                .register(DeviceEndpoints.class, new DeviceEndpoints(config.publicHost(), mqttScheme, devicePort, config.coapPort()));
        updates = UpdateServices.start(UpdateServices.Settings.defaults(config.dataDir(), config.mqttHost(), config.coapPort(),
                config.usesPostgres()).withDeviceCa(ca, registry), store, gateway, connection.uri(), connection::applyTo,
                rolloutAudit(), clock);
        // Enrollment hands devices the image repository's newest signed root.json: their TUF trust anchor.
        UpdateServices u = updates;
        apiContext.register(io.nanofleet.server.identity.TrustedRootSource.class,
                () -> new io.vertx.core.json.JsonObject(io.vertx.core.buffer.Buffer.buffer(u.repository().rootBytes())));
        List<RouteModule> modules = new ArrayList<>(routeModules());
        modules.addAll(updates.routes());
        api = new ApiServer(vertx, apiContext, modules,
                new HealthHandler(gateway, writer, config.usesExternalBroker() ? "external" : "embedded"));
        httpPort = api.start(config.httpHost(), config.httpPort(), config.https() ? httpsCertificate(ca) : null);
        startMaintenance();
        // Other server instances may enroll or revoke: pick their changes up.
        vertx.setPeriodic(REGISTRY_RELOAD_MS, id -> vertx.executeBlocking(() -> {
            registry.reload();
            return null;
        }, false));
        LOG.info("NanoFleet server up: HTTP on port {}, devices connect to {}", httpPort, brokerUri);
    }

    /** Rollout steps go to the audit log; the engine's own steps under the actor "rollout-engine". */
    private RolloutAudit rolloutAudit() {
        return (actor, action, target, detail) ->
                apiContext.audit().record(new io.nanofleet.server.api.auth.Principal("-", actor, null), action, target, detail);
    }

    /** Models, rollouts and CoAP (null before start). */
    public UpdateServices updates() {
        return updates;
    }

    /**
     * The API's HTTPS key and certificate, issued by the device CA at each start: a device that has the CA
     * certificate (nanofleet-agent enroll --server-ca ca-cert.pem) can check it before sending its token.
     */
    private io.vertx.core.net.KeyCertOptions httpsCertificate(DeviceCa ca) {
        try {
            KeyPair kp = DeviceCa.newEcKeyPair();
            List<String> names = new ArrayList<>();
            if (config.publicHost() != null) {
                names.add(config.publicHost());
            }
            X509Certificate cert = ca.issueServer(kp.getPublic(), DeviceCa.defaultServerNames(names), clock.getAsLong(),
                    Duration.ofDays(397));
            return new io.vertx.core.net.PemKeyCertOptions()
                    .setKeyValue(io.vertx.core.buffer.Buffer.buffer(
                            io.nanofleet.server.identity.Pem.encode("PRIVATE KEY", kp.getPrivate().getEncoded())))
                    .setCertValue(io.vertx.core.buffer.Buffer.buffer(
                            io.nanofleet.server.identity.Pem.encode(cert) + ca.certificatePem()));
        } catch (GeneralSecurityException e) {
            throw new StartupException("cannot create the HTTPS certificate: " + e.getMessage(), e);
        }
    }

    /** Downsampling of old summaries and expiry of unanswered commands, on their own thread (never the event loop). */
    private void startMaintenance() {
        maintenance = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nanofleet-maintenance");
            t.setDaemon(true);
            return t;
        });
        Retention retention = apiContext.service(Retention.class);
        CommandService commands = apiContext.service(CommandService.class);
        maintenance.scheduleWithFixedDelay(() -> {
            try {
                long folded = retention.run();
                int expired = commands.expireOverdue();
                if (folded > 0 || expired > 0) {
                    LOG.info("maintenance: {} raw summaries folded into hourly aggregates, {} commands expired", folded, expired);
                }
            } catch (Exception e) {
                LOG.warn("maintenance failed (will retry): {}", e.getMessage());
            }
        }, 1, MAINTENANCE_MINUTES, TimeUnit.MINUTES);
    }

    /**
     * Every REST feature is one {@link RouteModule}; a new feature adds one line here (and registers any
     * component its routes need in {@link #apiContext}).
     */
    private static List<RouteModule> routeModules() {
        return List.of(
                new DeviceRoutes(),
                new IdentityRoutes(),
                new CommandRoutes(),
                new OperatorRoutes(),
                new MetricsRoutes());
    }

    /**
     * With the plain development listener on, any device id not revoked may send (the demo's simulated
     * devices are never enrolled). Otherwise only devices holding a valid certificate may.
     */
    private DevicePolicy devicePolicy(CertificateRegistry registry) {
        boolean devMode = !config.usesExternalBroker() && config.plainMqtt();
        return deviceId -> {
            if (registry.isRevoked(deviceId)) {
                return IngestCounters.Reject.REVOKED_DEVICE;
            }
            if (!devMode && !registry.isEnrolled(deviceId)) {
                return IngestCounters.Reject.UNKNOWN_DEVICE;
            }
            return null;
        };
    }

    private long connectedDevices() {
        try {
            return store.onlineCount();
        } catch (java.sql.SQLException e) {
            return -1;
        }
    }

    private char[] caPassword() {
        return io.nanofleet.server.identity.CaPassword.resolve(config.caPasswordFile(), config.dataDir());
    }

    /** mqtt:// connects plainly; mqtts:// with a client certificate CN=nanofleet-server from the device CA. */
    private BrokerConnection externalConnection(String broker, DeviceCa ca) {
        String uri = toPahoUri(broker);
        if (!uri.startsWith("ssl://")) {
            return BrokerConnection.plain(uri);
        }
        try {
            KeyPair kp = DeviceCa.newEcKeyPair();
            X509Certificate cert = ca.issueDevice(SERVER_IDENTITY, kp.getPublic(), clock.getAsLong(), Duration.ofDays(30));
            return new BrokerConnection(uri, null, null,
                    TlsContexts.client(kp.getPrivate(), cert, ca.certificate()).getSocketFactory());
        } catch (GeneralSecurityException e) {
            throw new StartupException("cannot create the server's broker client certificate: " + e.getMessage(), e);
        }
    }

    /** The CN (and, with use_identity_as_username, the MQTT user name) of the server's own broker client. */
    public static final String SERVER_IDENTITY = "nanofleet-server";

    /** Accepts {@code mqtt://host:port}, {@code tcp://}, {@code mqtts://} and {@code ssl://}; returns Paho's form. */
    static String toPahoUri(String broker) {
        URI uri;
        try {
            uri = URI.create(broker);
        } catch (IllegalArgumentException e) {
            throw new StartupException("--broker " + broker + " is not a URI; use mqtt://host:port or mqtts://host:port");
        }
        String scheme = uri.getScheme();
        if (uri.getHost() == null || scheme == null) {
            throw new StartupException("--broker " + broker + " needs a scheme and host, e.g. mqtt://127.0.0.1:1883");
        }
        return switch (scheme) {
            case "mqtt", "tcp" -> "tcp://" + uri.getHost() + ":" + (uri.getPort() > 0 ? uri.getPort() : 1883);
            case "mqtts", "ssl" -> "ssl://" + uri.getHost() + ":" + (uri.getPort() > 0 ? uri.getPort() : 8883);
            default -> throw new StartupException("--broker scheme '" + scheme + "' is not supported; use mqtt:// or mqtts://");
        };
    }

    /**
     * Where devices on this machine connect, as a Paho URI: the plain development listener when it runs,
     * else the TLS listener (ssl://), or the external broker.
     */
    public String brokerUri() {
        return brokerUri;
    }

    /** The embedded broker's TLS listener (ssl://127.0.0.1:port), or null with an external broker. */
    public String tlsUri() {
        return broker != null ? broker.tlsUri() : null;
    }

    public int httpPort() {
        return httpPort;
    }

    /** The bootstrap admin token from the data directory (null if the operator removed the file). */
    public String adminToken() {
        return adminToken;
    }

    public ApiContext apiContext() {
        return apiContext;
    }

    public ApiServer api() {
        return api;
    }

    public FleetStore store() {
        return store;
    }

    public BatchWriter writer() {
        return writer;
    }

    public DeviceGateway gateway() {
        return gateway;
    }

    public FleetMetrics metrics() {
        return metrics;
    }

    public Identity identity() {
        return identity;
    }

    public CommandSigner commandSigner() {
        return commandSigner;
    }

    public Path dataDir() {
        return config.dataDir();
    }

    @Override
    public void close() {
        if (maintenance != null) {
            maintenance.shutdownNow();
        }
        if (api != null) {
            api.close();
        }
        if (vertx != null) {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // shutting down
            }
        }
        if (updates != null) {
            updates.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (writer != null) {
            writer.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (store != null) {
            store.close();
        }
    }
}
