package io.nanofleet.server;

import io.nanofleet.server.api.ApiContext;
import io.nanofleet.server.api.ApiServer;
import io.nanofleet.server.api.DeviceRoutes;
import io.nanofleet.server.api.HealthHandler;
import io.nanofleet.server.api.OperatorRoutes;
import io.nanofleet.server.api.RouteModule;
import io.nanofleet.server.api.auth.ApiTokens;
import io.nanofleet.server.api.auth.BootstrapToken;
import io.nanofleet.server.ask.AskResponder;
import io.nanofleet.server.ask.FleetDataAnswerer;
import io.nanofleet.server.audit.AuditLog;
import io.nanofleet.server.audit.TakeoverAudit;
import io.nanofleet.server.broker.BrokerTls;
import io.nanofleet.server.broker.BrokerUri;
import io.nanofleet.server.broker.EmbeddedBroker;
import io.nanofleet.server.commands.CommandRoutes;
import io.nanofleet.server.commands.CommandService;
import io.nanofleet.server.commands.CommandSigner;
import io.nanofleet.server.identity.CaPassword;
import io.nanofleet.server.identity.CertificateRegistry;
import io.nanofleet.server.identity.DeviceCa;
import io.nanofleet.server.identity.DeviceEndpoints;
import io.nanofleet.server.identity.DeviceRemovalRoutes;
import io.nanofleet.server.identity.Identity;
import io.nanofleet.server.identity.IdentityRoutes;
import io.nanofleet.server.identity.ServerCertificates;
import io.nanofleet.server.identity.SessionControl;
import io.nanofleet.server.ingest.DeviceGateway;
import io.nanofleet.server.ingest.Downlinks;
import io.nanofleet.server.ingest.EnrollmentPolicy;
import io.nanofleet.server.ingest.IngestBus;
import io.nanofleet.server.ingest.ServerMqttClient;
import io.nanofleet.server.metrics.FleetMetrics;
import io.nanofleet.server.metrics.MetricsRoutes;
import io.nanofleet.server.models.UpdateServices;
import io.nanofleet.server.rollout.DeviceHealthLog;
import io.nanofleet.server.store.BatchWriter;
import io.nanofleet.server.store.FleetStore;
import io.nanofleet.server.store.Maintenance;
import io.nanofleet.server.store.Retention;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet server process. Starts its parts in order (store, ingest step and its listeners, broker,
 * updates, HTTP API) and stops them in reverse, so no message is accepted that cannot be stored.
 */
public final class FleetServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FleetServer.class);

    private final ServerConfig config;
    private final LongSupplier clock;
    /** What to close, newest first. */
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private FleetStore store;
    private BatchWriter writer;
    private EmbeddedBroker broker;
    private DeviceGateway gateway;
    private AskResponder responder;
    private ApiServer api;
    private String brokerUri;
    private int httpPort;
    private String adminToken;
    private FleetMetrics metrics;
    private Identity identity;
    private CommandSigner commandSigner;

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

    private <T extends AutoCloseable> T started(T part) {
        started.push(part);
        return part;
    }

    private void startComponents() {
        StartupChecks.dataDirAndPorts(config);
        store = started(FleetStore.open(config.jdbcUrl()));
        writer = started(new BatchWriter(store, 100_000));
        metrics = new FleetMetrics();
        DeviceCa ca = DeviceCa.openOrCreate(config.dataDir().resolve("ca"), CaPassword.resolve(config.caPasswordFile(), config.dataDir()));
        CertificateRegistry registry = StartupChecks.loaded(new CertificateRegistry(store));
        identity = new Identity(store, ca, registry, clock);
        commandSigner = CommandSigner.openOrCreate(config.dataDir());
        ServerCertificates certificates = new ServerCertificates(ca, clock);
        // The ingest step and its listeners exist before any transport can deliver a message.
        DeviceHealthLog health = new DeviceHealthLog(clock, Duration.ofHours(6).toMillis());
        // Queries (ask channel) are answered once per fleet; issue 14's tiers replace the placeholder answerer.
        responder = started(new AskResponder(new FleetDataAnswerer(store, health::currentModel, clock), clock));
        IngestBus bus = new IngestBus().add(IngestBus.Scope.ONCE, writer).add(IngestBus.Scope.EVERY_INSTANCE, health)
                .add(IngestBus.Scope.ONCE, responder);
        gateway = new DeviceGateway(bus, new EnrollmentPolicy(registry, !config.usesExternalBroker() && config.plainMqtt()), clock);
        ServerMqttClient mqtt = null;
        String mqttScheme;
        int mqttPort;
        Downlinks downlinks;
        if (config.usesExternalBroker()) {
            BrokerUri uri = BrokerUri.parse(config.externalBroker());
            mqtt = started(new ServerMqttClient(certificates.brokerClient(uri.paho()), gateway, config.coapPort() >= 0));
            downlinks = new Downlinks(mqtt);
            mqtt.downlinks(downlinks);
            brokerUri = uri.paho();
            mqttScheme = uri.scheme();
            mqttPort = uri.port();
        } else {
            broker = started(startEmbeddedBroker(ca, registry));
            downlinks = new Downlinks(broker);
            brokerUri = broker.plainUri() != null ? broker.plainUri() : broker.tlsUri();
            mqttScheme = "mqtts";
            mqttPort = broker.tlsPort();
        }
        responder.answerThrough(downlinks);
        metrics.bindFleet(gateway.counters(), writer, store::onlineCountOrUnknown);
        metrics.bindAsk(responder.counters());
        Vertx vertx = Vertx.vertx();
        started(() -> vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        ApiTokens tokens = new ApiTokens(store, clock);
        adminToken = BootstrapToken.ensure(tokens, config.dataDir());
        AuditLog audit = new AuditLog(store, clock);
        if (broker != null) {
            broker.onSessionTakeover(new TakeoverAudit(audit));
        }
        CommandService commands = new CommandService(store, downlinks, commandSigner, clock, registry::isRevoked);
        Retention retention = new Retention(store, config.rawRetention(), clock);
        UpdateServices updates = started(UpdateServices.start(UpdateServices.Settings.defaults(config.dataDir(), config.mqttHost(),
                        config.coapPort(), config.usesPostgres()).withDeviceCa(ca, registry).withOnlineTargetsKey(config.onlineTargetsKey()), store, gateway, downlinks, health,
                audit::recordSystem, clock));
        if (mqtt != null) {
            mqtt.start(); // after the CoAP endpoint listens for downlinks: retained assignments arrive on subscribing
        }
        // The bound ports (a configured 0 means "any free port"): enrollment never advertises port 0.
        DeviceEndpoints endpoints = new DeviceEndpoints(config.publicHost(), mqttScheme, mqttPort, updates.coapPort());
        List<RouteModule> modules = new ArrayList<>(List.of(
                new DeviceRoutes(retention, registry::isRevoked),
                // Enrollment hands devices the image repository's newest signed root.json: their TUF trust anchor.
                new IdentityRoutes(identity, metrics, broker != null ? broker : SessionControl.NONE, endpoints, commandSigner,
                        updates::trustedRoot),
                new CommandRoutes(commands),
                new DeviceRemovalRoutes(registry, broker != null ? broker : SessionControl.NONE, downlinks),
                new OperatorRoutes(),
                new MetricsRoutes(metrics)));
        modules.addAll(updates.routes());
        ApiContext apiContext = new ApiContext(vertx, store, audit, tokens, clock, r -> metrics.rejected("api", r));
        api = started(new ApiServer(vertx, apiContext, modules, config.dataDir().resolve("uploads"),
                new HealthHandler(gateway, downlinks, writer, config.usesExternalBroker() ? "external" : "embedded")));
        httpPort = api.start(config.httpHost(), config.httpPort(), config.https() ? certificates.https(config.publicHost()) : null);
        started(new Maintenance(retention, commands::expireOverdue, () -> {
            registry.reload();
            return null;
        }));
        LOG.info("NanoFleet server up: HTTP on port {}, devices connect to {}", httpPort, brokerUri);
    }

    /** The embedded broker hands device uplinks straight to the gateway (which exists already). */
    private EmbeddedBroker startEmbeddedBroker(DeviceCa ca, CertificateRegistry registry) {
        int plain = !config.plainMqtt() ? -1 : config.mqttPort() == 0 ? Ports.freePort() : config.mqttPort();
        int tls = config.mqttsPort() == 0 ? Ports.freePort() : config.mqttsPort();
        BrokerTls stores = BrokerTls.create(config.dataDir().resolve("broker").resolve("tls"), ca,
                ServerCertificates.serverNames(config.publicHost()));
        return EmbeddedBroker.start(config.dataDir().resolve("broker"), new EmbeddedBroker.Options(config.mqttHost(), plain, tls, stores),
                registry, metrics, gateway);
    }

    /** Where devices on this machine connect (Paho URI): the plain development listener, else TLS, or the external broker. */
    public String brokerUri() {
        return brokerUri;
    }

    /** The embedded broker's TLS listener (ssl://127.0.0.1:port), or null with an external broker. */
    public String tlsUri() {
        return broker != null ? broker.tlsUri() : null;
    }

    /** The embedded broker, or null with an external broker. */
    public EmbeddedBroker broker() {
        return broker;
    }

    public int httpPort() {
        return httpPort;
    }

    /** The bootstrap admin token from the data directory (null if the operator removed the file). */
    public String adminToken() {
        return adminToken;
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

    /** Answers device queries (the ask channel). */
    public AskResponder responder() {
        return responder;
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

    /** Stops what started, in reverse order. */
    @Override
    public void close() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                // shutting down: keep closing the rest
            }
        }
    }
}
