package io.nanofleet.ota.testing;

import io.nanofleet.ota.client.Updater;
import io.nanofleet.ota.client.UpdaterConfig;
import io.nanofleet.ota.crypto.KeyType;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.repo.DirectoryFetcher;
import io.nanofleet.ota.repo.Repository;
import io.nanofleet.ota.repo.RoleSpec;
import io.nanofleet.ota.repo.TargetKind;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A repository in {@code dir/repo} with one key for root, targets, snapshot and timestamp and another for
 * the director, and a device client that reads it through file: URIs (no server).
 */
public final class LocalRepo {
    public final Path dir;
    public final TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
    public final TufSigner key = TufSigner.generate(KeyType.ED25519);
    public final TufSigner director = TufSigner.generate(KeyType.ED25519);
    public final Repository repo;

    public LocalRepo(Path dir) throws Exception {
        this.dir = dir;
        repo = new Repository(dir.resolve("repo"), clock);
        RoleSpec spec = RoleSpec.of(1, key.publicKey());
        repo.init(Map.of("root", spec, "targets", spec, "snapshot", spec, "timestamp", spec,
                        "director", RoleSpec.of(1, director.publicKey())),
                Map.of("root", List.of(key), "targets", List.of(key), "snapshot", List.of(key), "timestamp", List.of(key)));
    }

    /** Adds a target (anomaly model for rpi4, release 3) signed with the targets key and refreshes snapshot and timestamp. */
    public TargetFile publish(String name, String content) throws Exception {
        Path file = Files.writeString(Files.createTempFile(dir, "target", ".bin"), content);
        TargetFile t = repo.addTarget(file, name, TargetKind.ANOMALY_MODEL.custom(List.of("rpi4"), 3), "targets", List.of(key));
        repo.refresh(List.of(key), List.of(key));
        return t;
    }

    /** A device client trusting root v1, refreshed. */
    public Updater device() throws Exception {
        Path meta = dir.resolve("device");
        Updater.initialize(meta, Files.readAllBytes(repo.metadataDir().resolve("1.root.json")), clock);
        Updater u = new Updater(new UpdaterConfig(meta, repo.metadataDir().toUri(), repo.targetsDir().toUri()),
                new DirectoryFetcher(), clock);
        u.refresh();
        return u;
    }
}
