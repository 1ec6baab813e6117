package io.nanofleet.ota.testing;

import io.nanofleet.ota.client.HttpFetcher;
import io.nanofleet.ota.client.Updater;
import io.nanofleet.ota.client.UpdaterConfig;
import io.nanofleet.ota.crypto.KeyType;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.director.AssignmentVerifier;
import io.nanofleet.ota.director.DirectorAssignment;
import io.nanofleet.ota.director.DirectorSigner;
import io.nanofleet.ota.install.InstalledModel;
import io.nanofleet.ota.install.SlotStore;
import io.nanofleet.ota.install.Storage;
import io.nanofleet.ota.install.UpdateAgent;
import io.nanofleet.ota.install.UpdateResult;
import io.nanofleet.ota.install.UpdateState;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.repo.Repository;
import io.nanofleet.ota.repo.RoleSpec;
import io.nanofleet.ota.repo.TargetKind;
import io.nanofleet.ota.transfer.HttpTransport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A whole NanoFleet update channel in a temp dir: image repository (root threshold 1, targets threshold
 * 2 of 3 keys), director key, HTTP server on 127.0.0.1, and one device with metadata dir and slots.
 */
public final class Fleet implements AutoCloseable {
    public static final String DEVICE = "dev-1";
    public static final String HW = "rpi4";

    public final Path dir;
    public final TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
    public final TufSigner root = TufSigner.generate(KeyType.ED25519);
    public final TufSigner targets1 = TufSigner.generate(KeyType.ECDSA_P256);
    public final TufSigner targets2 = TufSigner.generate(KeyType.ED25519);
    public final TufSigner targets3 = TufSigner.generate(KeyType.ED25519);
    public final TufSigner snapshot = TufSigner.generate(KeyType.ED25519);
    public final TufSigner timestamp = TufSigner.generate(KeyType.ED25519);
    public final TufSigner director = TufSigner.generate(KeyType.ED25519);
    public final Repository repo;
    public final RepoServer server;
    public final List<String> events = new ArrayList<>();
    private long assignmentVersion;

    public Fleet(Path dir) throws Exception {
        this.dir = dir;
        repo = new Repository(dir.resolve("repo"), clock);
        repo.init(roles(timestamp), Map.of(
                "root", List.of(root), "targets", List.of(targets1, targets2),
                "snapshot", List.of(snapshot), "timestamp", List.of(timestamp)));
        server = new RepoServer(dir.resolve("repo"));
        Updater.initialize(dir.resolve("device/metadata"), repo.rootBytes(), clock);
    }

    public Map<String, RoleSpec> roles(TufSigner timestampKey) {
        return Map.of("root", RoleSpec.of(1, root.publicKey()),
                "targets", RoleSpec.of(2, targets1.publicKey(), targets2.publicKey(), targets3.publicKey()),
                "snapshot", RoleSpec.of(1, snapshot.publicKey()),
                "timestamp", RoleSpec.of(1, timestampKey.publicKey()),
                "director", RoleSpec.of(1, director.publicKey()));
    }

    /** Publishes a model and refreshes snapshot + timestamp, as operator and fleet server would. */
    public TargetFile publish(String name, byte[] content, List<String> hw, long releaseCounter) throws Exception {
        return publish(name, TargetKind.ANOMALY_MODEL, content, hw, releaseCounter);
    }

    /** As {@link #publish(String, byte[], List, long)}, of the given kind. */
    public TargetFile publish(String name, TargetKind kind, byte[] content, List<String> hw, long releaseCounter) throws Exception {
        Path f = dir.resolve("upload.bin");
        Files.write(f, content);
        TargetFile t = repo.addTarget(f, name, kind.custom(hw, releaseCounter), "targets",
                List.of(targets1, targets2));
        repo.refresh(List.of(snapshot), List.of(timestamp));
        return t;
    }

    public byte[] assign(TargetFile t, String hw, long releaseCounter) {
        return assign(t.name(), t.length(), t.hashes(), hw, releaseCounter);
    }

    public byte[] assign(String name, long length, Map<String, String> hashes, String hw, long releaseCounter) {
        return new DirectorSigner(List.of(director)).sign(new DirectorAssignment(DEVICE, name, length, hashes, hw,
                releaseCounter, ++assignmentVersion, clock.instant().plus(Duration.ofDays(1))));
    }

    public Updater updater() {
        return new Updater(new UpdaterConfig(dir.resolve("device/metadata"), server.uri("metadata/"), server.uri("targets/")),
                new HttpFetcher(Duration.ofSeconds(2), Duration.ofSeconds(2)), clock);
    }

    public SlotStore slots() throws IOException {
        return new SlotStore(dir.resolve("device/slots"));
    }

    public UpdateAgent agent(SlotStore slots) {
        return agent(slots, java.util.EnumSet.allOf(TargetKind.class));
    }

    /** An update agent that installs only targets of these kinds. */
    public UpdateAgent agent(SlotStore slots, java.util.Set<TargetKind> kinds) {
        return new UpdateAgent(updater(), new AssignmentVerifier(DEVICE, HW),
                List.of(new HttpTransport(Duration.ofSeconds(2), Duration.ofMillis(1500))), slots, clock,
                (UpdateState s, UpdateResult r) -> events.add(s + "/" + r), kinds);
    }

    public SlotStore slots(Storage storage) throws IOException {
        return new SlotStore(dir.resolve("device/slots"), storage);
    }

    /** Installs and confirms a first model, as a device in service would have. */
    public InstalledModel installBaseline(byte[] content, long releaseCounter) throws Exception {
        TargetFile t = publish("models/anomaly-v" + releaseCounter + ".nfm", content, List.of(HW), releaseCounter);
        SlotStore s = slots();
        InstalledModel m = agent(s).apply(assign(t, HW, releaseCounter));
        s.confirm();
        return m;
    }

    @Override
    public void close() {
        server.close();
    }
}
