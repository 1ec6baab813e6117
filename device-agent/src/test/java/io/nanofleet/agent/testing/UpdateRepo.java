package io.nanofleet.agent.testing;

import io.nanofleet.agent.sensor.SimulatedModels;
import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.nanofleet.agent.ota.UpdateChannel;
import io.nanofleet.ota.client.HttpFetcher;
import io.nanofleet.ota.client.Updater;
import io.nanofleet.ota.client.UpdaterConfig;
import io.nanofleet.ota.crypto.KeyType;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.director.AssignmentVerifier;
import io.nanofleet.ota.director.DirectorAssignment;
import io.nanofleet.ota.director.DirectorSigner;
import io.nanofleet.ota.install.SlotStore;
import io.nanofleet.ota.install.Storage;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.repo.Repository;
import io.nanofleet.ota.repo.RoleSpec;
import io.nanofleet.ota.repo.TargetKind;
import io.nanofleet.ota.transfer.HttpTransport;
import io.nanofleet.protocols.v1.Assignment;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real update channel for agent tests: a TUF image repository and director key made with ota's tooling,
 * served over HTTP on 127.0.0.1 (target requests counted; a handler may take over target downloads), and
 * the device side of it ({@link #channel}) for one device.
 */
public final class UpdateRepo implements AutoCloseable {
    public final TufSigner director = TufSigner.generate(KeyType.ED25519);
    private final TufSigner root = TufSigner.generate(KeyType.ED25519);
    private final TufSigner targets = TufSigner.generate(KeyType.ED25519);
    private final TufSigner snapshot = TufSigner.generate(KeyType.ED25519);
    private final TufSigner timestamp = TufSigner.generate(KeyType.ED25519);
    private final Path dir;
    private final String device;
    private final String hardwareId;
    private final Repository repo;
    private final HttpServer http;
    private final AtomicInteger targetRequests = new AtomicInteger();
    private volatile HttpHandler targetsInstead;
    private long assignmentVersion;

    public UpdateRepo(Path dir, String device, String hardwareId) throws Exception {
        this.dir = dir;
        this.device = device;
        this.hardwareId = hardwareId;
        Path repoDir = dir.resolve("repo");
        repo = new Repository(repoDir, Clock.systemUTC());
        repo.init(Map.of("root", RoleSpec.of(1, root.publicKey()), "targets", RoleSpec.of(1, targets.publicKey()),
                        "snapshot", RoleSpec.of(1, snapshot.publicKey()), "timestamp", RoleSpec.of(1, timestamp.publicKey()),
                        "director", RoleSpec.of(1, director.publicKey())),
                Map.of("root", List.of(root), "targets", List.of(targets), "snapshot", List.of(snapshot), "timestamp", List.of(timestamp)));
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath().substring(1);
            HttpHandler instead = targetsInstead;
            if (path.startsWith("targets/")) {
                targetRequests.incrementAndGet();
                if (instead != null) {
                    instead.handle(ex);
                    return;
                }
            }
            Path f = repoDir.resolve(path).normalize();
            if (!f.startsWith(repoDir) || !Files.isRegularFile(f)) {
                ex.sendResponseHeaders(404, -1);
                ex.close();
                return;
            }
            send(ex, 200, Files.readAllBytes(f));
        });
        http.start();
    }

    public static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(body);
        }
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/" + path);
    }

    /** Requests for targets/... since the start. */
    public int targetRequests() {
        return targetRequests.get();
    }

    /** Answers every target download with {@code handler} (null: serve the repository's files again). */
    public void targetsInstead(HttpHandler handler) {
        this.targetsInstead = handler;
    }

    /** The device's update plumbing: TUF client trusting root v1, director check, HTTP download, slots on {@code storage}. */
    public UpdateChannel channel(Path deviceDir, Storage storage) throws Exception {
        return channel(deviceDir, storage, false);
    }

    /**
     * As {@link #channel(Path, Storage)}; with {@code commandModels} also the command model's slots (in
     * {@code command-models}, as {@code UpdateChannel.overHttp} lays them out). Opening the same directory again
     * is what a restarted device does (the trusted root already there is kept).
     */
    public UpdateChannel channel(Path deviceDir, Storage storage, boolean commandModels) throws Exception {
        Clock clock = Clock.systemUTC();
        Path meta = deviceDir.resolve("tuf");
        if (!Files.isRegularFile(meta.resolve("root.json"))) {
            Updater.initialize(meta, repo.rootBytes(), clock);
        }
        return new UpdateChannel(new Updater(new UpdaterConfig(meta, uri("metadata/"), uri("targets/")), new HttpFetcher(), clock),
                new AssignmentVerifier(device, hardwareId), List.of(new HttpTransport(Duration.ofSeconds(5), Duration.ofSeconds(5))),
                new SlotStore(deviceDir.resolve("models"), storage),
                commandModels ? new SlotStore(deviceDir.resolve("command-models"), storage) : null, clock);
    }

    /** Publishes an anomaly model and returns the director's assignment of it, as it arrives on the ota topic. */
    public Assignment assign(String name, byte[] content, long release) throws Exception {
        return assign(name, TargetKind.ANOMALY_MODEL, content, release, director);
    }

    public Assignment assign(String name, TargetKind kind, byte[] content, long release, TufSigner directorKey) throws Exception {
        Path f = dir.resolve("upload.bin");
        Files.write(f, content);
        TargetFile t = repo.addTarget(f, name, kind.custom(List.of(hardwareId), release), "targets", List.of(targets));
        repo.refresh(List.of(snapshot), List.of(timestamp));
        byte[] signed = new DirectorSigner(List.of(directorKey)).sign(new DirectorAssignment(device, t.name(), t.length(),
                t.hashes(), hardwareId, release, ++assignmentVersion, Clock.systemUTC().instant().plus(Duration.ofDays(1))));
        return Assignment.newBuilder().setDeviceId(device).setTargetName(t.name()).setLength(t.length())
                .putAllHashes(t.hashes()).setHardwareId(hardwareId).setReleaseCounter(release).setTargetKind(kind.wireName)
                .setSignedMetadata(ByteString.copyFrom(signed)).build();
    }

    /** A new director assignment (next version) of what {@code earlier} assigned; nothing is published. */
    public Assignment assignAgain(Assignment earlier) {
        byte[] signed = new DirectorSigner(List.of(director)).sign(new DirectorAssignment(device, earlier.getTargetName(),
                earlier.getLength(), earlier.getHashesMap(), hardwareId, earlier.getReleaseCounter(), ++assignmentVersion,
                Clock.systemUTC().instant().plus(Duration.ofDays(1))));
        return earlier.toBuilder().setSignedMetadata(ByteString.copyFrom(signed)).build();
    }

    /** A detector model file for these channels, trained on simulated normal data. */
    public static byte[] model(List<String> channels, long seed) {
        return SimulatedModels.detector(channels, seed, 2);
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
