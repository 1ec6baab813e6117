package io.nanofleet.server.models;

import io.nanofleet.protocols.DaemonThreads;
import io.nanofleet.server.api.RouteModule;
import io.nanofleet.server.coap.CoapDeviceServer;
import io.nanofleet.server.coap.CoapKeyRoutes;
import io.nanofleet.server.coap.CoapKeys;
import io.nanofleet.server.coap.DeviceCertificates;
import io.nanofleet.server.identity.CertificateRegistry;
import io.nanofleet.server.identity.DeviceCa;
import io.nanofleet.server.ingest.DeviceGateway;
import io.nanofleet.server.ingest.Downlinks;
import io.nanofleet.server.rollout.DeviceHealthLog;
import io.nanofleet.server.rollout.LeaderElection;
import io.nanofleet.server.rollout.PostgresLeaderElection;
import io.nanofleet.server.rollout.RolloutAudit;
import io.nanofleet.server.rollout.RolloutEngine;
import io.nanofleet.server.rollout.RolloutRoutes;
import io.nanofleet.server.rollout.RolloutStore;
import io.nanofleet.server.store.FleetStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything about updates the server runs, started and stopped as one: the update repository (and the
 * job that keeps snapshot/timestamp fresh), director assignments, the rollout engine with its signals
 * and leader election, and the CoAP endpoint. FleetServer builds it and mounts {@link #routes()}.
 */
public final class UpdateServices implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UpdateServices.class);

    /**
     * @param coapPort UDP port for CoAP over DTLS (0: any free port; negative: no CoAP endpoint)
     * @param postgres several instances may share the database: elect the rollout driver with an advisory lock
     */
    public record Settings(Path dataDir, String coapHost, int coapPort, boolean postgres, long rolloutTickMs,
                           Duration timestampExpiry, DeviceCa ca, CertificateRegistry registry, boolean onlineTargetsKey) {
        public static Settings defaults(Path dataDir, String coapHost, int coapPort, boolean postgres) {
            return new Settings(dataDir, coapHost, coapPort, postgres, 1000, Duration.ofDays(1), null, null, false);
        }

        /** CoAP devices may then also authenticate with their device-CA certificate (checked against the registry). */
        public Settings withDeviceCa(DeviceCa ca, CertificateRegistry registry) {
            return new Settings(dataDir, coapHost, coapPort, postgres, rolloutTickMs, timestampExpiry, ca, registry, onlineTargetsKey);
        }

        /** The server creates root and targets keys itself (see {@link ModelRepository#openOrCreate(Path, Clock, Duration, boolean)}). */
        public Settings withOnlineTargetsKey(boolean online) {
            return new Settings(dataDir, coapHost, coapPort, postgres, rolloutTickMs, timestampExpiry, ca, registry, online);
        }
    }

    /** A fresh DTLS server key and certificate from the device CA at every start (devices trust the CA, not the key). */
    private static DeviceCertificates coapCertificates(DeviceCa ca, CertificateRegistry registry) {
        try {
            java.security.KeyPair kp = DeviceCa.newEcKeyPair();
            java.security.cert.X509Certificate cert = ca.issueServer(kp.getPublic(), DeviceCa.defaultServerNames(List.of()),
                    System.currentTimeMillis(), Duration.ofDays(397));
            return new DeviceCertificates(ca.certificate(), kp.getPrivate(), cert,
                    (leaf, cn) -> registry.refusal(DeviceCa.serialHex(leaf), cn));
        } catch (java.security.GeneralSecurityException e) {
            throw new io.nanofleet.server.StartupException("cannot issue the CoAP server certificate: " + e.getMessage(), e);
        }
    }

    private final List<AutoCloseable> started = new ArrayList<>();
    private ModelRepository repository;
    private RolloutEngine engine;
    private RolloutStore rollouts;
    private ModelAssigner assigner;
    private CoapDeviceServer coap;
    private CoapKeys coapKeys;
    private Path uploads;

    public static UpdateServices start(Settings s, FleetStore store, DeviceGateway gateway, Downlinks downlinks,
                                       DeviceHealthLog health, RolloutAudit audit, LongSupplier clock) {
        UpdateServices u = new UpdateServices();
        try {
            u.startAll(s, store, gateway, downlinks, health, audit, clock);
            return u;
        } catch (RuntimeException e) {
            u.close();
            throw e;
        }
    }

    private void startAll(Settings s, FleetStore store, DeviceGateway gateway, Downlinks downlinks,
                          DeviceHealthLog health, RolloutAudit audit, LongSupplier clock) {
        repository = ModelRepository.openOrCreate(s.dataDir(), Clock.systemUTC(), s.timestampExpiry(), s.onlineTargetsKey());
        uploads = s.dataDir().resolve("uploads");
        try {
            Files.createDirectories(uploads);
        } catch (java.io.IOException e) {
            throw new io.nanofleet.server.StartupException("cannot create " + uploads + ": " + e.getMessage(), e);
        }
        ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("nanofleet-tuf-refresh"));
        refresher.scheduleWithFixedDelay(() -> {
            try {
                if (repository.refreshIfDue()) {
                    LOG.info("re-signed snapshot and timestamp metadata");
                }
            } catch (Exception e) {
                LOG.error("could not refresh snapshot/timestamp metadata; devices will see it expire: {}", e.toString());
            }
        }, 0, 60, TimeUnit.SECONDS);
        started.add(refresher::shutdownNow);
        assigner = new ModelAssigner(repository, downlinks, store);
        LeaderElection leader = s.postgres() ? new PostgresLeaderElection(store::connection) : LeaderElection.always();
        rollouts = new RolloutStore(store::connection);
        RolloutEngine.ModelKinds kinds = name -> repository.model(name).map(t -> String.valueOf(t.kind())).orElseThrow(
                () -> new ModelException(ModelException.Reason.UNKNOWN_MODEL, "no model named " + name + " in the repository"));
        engine = new RolloutEngine(rollouts, health, assigner::assign, kinds, audit, leader, clock).start(s.rolloutTickMs());
        started.add(engine);
        if (s.coapPort() >= 0) {
            coapKeys = CoapKeys.loadOrCreate(s.dataDir());
            coap = new CoapDeviceServer(s.coapHost(), s.coapPort(), coapKeys, gateway, repository, downlinks);
            if (s.ca() != null) {
                coap.certificates(coapCertificates(s.ca(), s.registry()));
            }
            coap.start();
            started.add(coap);
        }
    }

    public List<RouteModule> routes() {
        List<RouteModule> r = new ArrayList<>();
        r.add(new ModelRoutes(repository, assigner, uploads));
        r.add(new RolloutRoutes(engine, rollouts, name -> repository.model(name).isPresent()));
        if (coap != null) {
            r.add(new CoapKeyRoutes(coapKeys, coap.port()));
        }
        return r;
    }

    public ModelRepository repository() {
        return repository;
    }

    /** The newest root.json as devices get it at enrollment (their TUF trust anchor), or null before the operator's root. */
    public io.vertx.core.json.JsonObject trustedRoot() throws Exception {
        return repository.hasRoot() ? new io.vertx.core.json.JsonObject(io.vertx.core.buffer.Buffer.buffer(repository.rootBytes())) : null;
    }

    public RolloutEngine engine() {
        return engine;
    }

    public RolloutStore rollouts() {
        return rollouts;
    }

    /** The bound CoAP port, or -1 when CoAP is off. */
    public int coapPort() {
        return coap == null ? -1 : coap.port();
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
        started.clear();
    }
}
