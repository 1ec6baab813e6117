package io.nanofleet.ota.metadata;

import io.nanofleet.ota.client.Updater;
import io.nanofleet.ota.client.UpdaterConfig;
import io.nanofleet.ota.crypto.KeyType;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.repo.DirectoryFetcher;
import io.nanofleet.ota.repo.Repository;
import io.nanofleet.ota.repo.RoleSpec;
import io.nanofleet.ota.repo.TargetKind;
import io.nanofleet.ota.testing.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The consistent-snapshot target name rule, and that the repository writes where the client looks. */
class ConsistentNameTest {
    @TempDir
    Path tmp;

    @Test
    void hashGoesBeforeTheLastPathSegment() {
        assertEquals("abc.m.nfm", TargetFile.consistentName("m.nfm", "abc"));
        assertEquals("models/abc.m.nfm", TargetFile.consistentName("models/m.nfm", "abc"));
        assertEquals("a/b/c/abc.m.v2.nfm", TargetFile.consistentName("a/b/c/m.v2.nfm", "abc"));
        assertEquals("dir/abc.", TargetFile.consistentName("dir/", "abc"), "a trailing slash keeps an empty last segment");
    }

    @Test
    void instanceNameUsesTheFirstListedHash() {
        Map<String, String> hashes = new LinkedHashMap<>();
        hashes.put("sha512", "five12");
        hashes.put("sha256", "two56");
        assertEquals("models/five12.m.nfm", new TargetFile("models/m.nfm", 1, hashes, null).consistentName());
    }

    @Test
    void repositoryWritesTheTargetWhereTheClientFetchesIt() throws Exception {
        TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
        TufSigner key = TufSigner.generate(KeyType.ED25519);
        Repository repo = new Repository(tmp.resolve("repo"), clock);
        RoleSpec spec = RoleSpec.of(1, key.publicKey());
        repo.init(Map.of("root", spec, "targets", spec, "snapshot", spec, "timestamp", spec),
                Map.of("root", List.of(key), "targets", List.of(key), "snapshot", List.of(key), "timestamp", List.of(key)));
        Path file = Files.writeString(tmp.resolve("upload"), "weights");
        TargetFile t = repo.addTarget(file, "models/edge/m.nfm", TargetKind.ANOMALY_MODEL.custom(List.of("rpi4"), 1),
                "targets", List.of(key));
        repo.refresh(List.of(key), List.of(key));
        String expected = "models/edge/" + t.hashes().get("sha256") + ".m.nfm";
        assertEquals(expected, t.consistentName());
        assertTrue(Files.isRegularFile(repo.targetsDir().resolve(expected)));

        Updater.initialize(tmp.resolve("device"), repo.rootBytes(), clock);
        Updater u = new Updater(new UpdaterConfig(tmp.resolve("device"), repo.metadataDir().toUri(), repo.targetsDir().toUri()),
                new DirectoryFetcher(), clock);
        u.refresh();
        assertEquals(repo.targetsDir().resolve(expected).toUri(), u.targetUri(u.getTargetInfo("models/edge/m.nfm")));
    }
}
