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
import io.nanofleet.server.commands.CommandRoutes;
import io.nanofleet.server.broker.EmbeddedBroker;
import io.nanofleet.server.ingest.DeviceGateway;
import io.nanofleet.server.store.BatchWriter;
import io.nanofleet.server.store.FleetStore;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet server process: store, broker (embedded unless external), device gateway, HTTP API.
 * Starts in that order and stops in reverse, so no message is accepted that cannot be stored.
 */
public final class FleetServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FleetServer.class);

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
            Ports.requireFree("MQTT", config.mqttHost(), config.mqttPort(), "--mqtt-port");
        }
        store = FleetStore.open(config.jdbcUrl());
        writer = new BatchWriter(store, 100_000);
        if (config.usesExternalBroker()) {
            brokerUri = toPahoUri(config.externalBroker());
        } else {
            int port = config.mqttPort() == 0 ? Ports.freePort() : config.mqttPort();
            broker = EmbeddedBroker.start(config.dataDir().resolve("broker"), config.mqttHost(), port);
            brokerUri = broker.localUri();
        }
        gateway = new DeviceGateway(brokerUri, writer, clock);
        gateway.start();
        vertx = Vertx.vertx();
        ApiTokens tokens = new ApiTokens(store, clock);
        adminToken = BootstrapToken.ensure(tokens, config.dataDir());
        apiContext = new ApiContext(vertx, store, new AuditLog(store, clock), tokens, clock, reason -> { })
                .register(DeviceGateway.class, gateway)
                .register(BatchWriter.class, writer);
        api = new ApiServer(vertx, apiContext, routeModules(),
                new HealthHandler(gateway, writer, config.usesExternalBroker() ? "external" : "embedded"));
        httpPort = api.start(config.httpHost(), config.httpPort());
        LOG.info("NanoFleet server up: HTTP on port {}, devices connect to {}", httpPort, brokerUri);
    }

    /**
     * Every REST feature is one {@link RouteModule}; a new feature adds one line here (and registers any
     * component its routes need in {@link #apiContext}).
     */
    private static List<RouteModule> routeModules() {
        return List.of(
                new DeviceRoutes(),
                new CommandRoutes(),
                new OperatorRoutes());
    }

    /** Accepts {@code mqtt://host:port} (and tcp://), returns Paho's {@code tcp://host:port}. */
    static String toPahoUri(String broker) {
        URI uri;
        try {
            uri = URI.create(broker);
        } catch (IllegalArgumentException e) {
            throw new StartupException("--broker " + broker + " is not a URI; use mqtt://host:port");
        }
        String scheme = uri.getScheme();
        if (uri.getHost() == null || scheme == null) {
            throw new StartupException("--broker " + broker + " needs a scheme and host, e.g. mqtt://127.0.0.1:1883");
        }
        int port = uri.getPort() > 0 ? uri.getPort() : 1883;
        return switch (scheme) {
            case "mqtt", "tcp" -> "tcp://" + uri.getHost() + ":" + port;
            default -> throw new StartupException("--broker scheme '" + scheme + "' is not supported; use mqtt://host:port");
        };
    }

    /** Where devices should connect, as a Paho URI (tcp://host:port). */
    public String brokerUri() {
        return brokerUri;
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

    @Override
    public void close() {
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
