package io.nanofleet.ota;

import io.nanofleet.ota.client.HttpFetcher;
import io.nanofleet.ota.client.Updater;
import io.nanofleet.ota.client.UpdaterConfig;
import io.nanofleet.ota.crypto.KeyType;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.metadata.TufException;
import io.nanofleet.ota.testing.Fleet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The root chain is walked one version at a time, at most maxRootRotations per refresh. */
class RootRotationIT {
    @TempDir
    Path tmp;

    @Test
    void rotationsAreBoundedPerRefreshAndResumeNextTime() throws Exception {
        try (Fleet f = new Fleet(tmp)) {
            for (int i = 0; i < 4; i++) {
                f.repo.rotateRoot(f.roles(f.timestamp), List.of(f.root));
            }
            f.repo.refresh(List.of(f.snapshot), List.of(f.timestamp));
            UpdaterConfig cfg = new UpdaterConfig(tmp.resolve("device/metadata"), f.server.uri("metadata/"), f.server.uri("targets/"))
                    .maxRootRotations(2);
            Updater u = new Updater(cfg, new HttpFetcher(), f.clock);
            u.refresh();
            assertEquals(3, u.root().version(), "1 + 2 rotations");
            u.refresh();
            assertEquals(5, u.root().version());
        }
    }

    @Test
    void brokenLinkInTheChainStopsTheRefresh() throws Exception {
        try (Fleet f = new Fleet(tmp)) {
            f.repo.rotateRoot(f.roles(f.timestamp), List.of(f.root));
            TufSigner stranger = TufSigner.generate(KeyType.ED25519);
            // v3 is signed only by a key v2 never authorized.
            f.repo.rotateRoot(f.roles(f.timestamp), List.of(stranger));
            Updater u = f.updater();
            TufException e = assertThrows(TufException.class, u::refresh);
            assertInstanceOf(TufException.SignatureException.class, e);
            assertEquals(2, io.nanofleet.ota.metadata.Metadata.parse(
                    java.nio.file.Files.readAllBytes(tmp.resolve("device/metadata/root.json")), "root").version(),
                    "v2 was accepted and persisted before the bad v3");
        }
    }
}
