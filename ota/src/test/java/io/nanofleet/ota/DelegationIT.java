package io.nanofleet.ota;

import io.nanofleet.ota.client.Updater;
import io.nanofleet.ota.crypto.KeyType;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.metadata.TufException;
import io.nanofleet.ota.repo.RoleSpec;
import io.nanofleet.ota.repo.TargetKind;
import io.nanofleet.ota.testing.Fleet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Delegated targets written by our tooling: found through the delegation, and confined to its paths. */
class DelegationIT {
    @TempDir
    Path tmp;

    @Test
    void delegatedRoleServesItsPathsOnly() throws Exception {
        try (Fleet f = new Fleet(tmp)) {
            TufSigner team = TufSigner.generate(KeyType.ECDSA_P256);
            f.repo.delegate("anomaly-team", List.of("models/anomaly/*"), RoleSpec.of(1, team.publicKey()), true,
                    List.of(f.targets1, f.targets2), List.of(team));
            Path file = tmp.resolve("m.bin");
            byte[] content = "delegated model".getBytes(StandardCharsets.UTF_8);
            Files.write(file, content);
            f.repo.addTarget(file, "models/anomaly/v1.nfm", TargetKind.ANOMALY_MODEL.custom(List.of(Fleet.HW), 1),
                    "anomaly-team", List.of(team));
            // The delegate also signs a path it was not given.
            f.repo.addTarget(file, "agents/agent-9.jar", TargetKind.AGENT.custom(List.of(Fleet.HW), 9), "anomaly-team", List.of(team));
            f.repo.refresh(List.of(f.snapshot), List.of(f.timestamp));

            Updater u = f.updater();
            u.refresh();
            TargetFile t = u.getTargetInfo("models/anomaly/v1.nfm");
            assertEquals(1, t.releaseCounter());
            assertArrayEquals(content, u.downloadTarget(t));
            assertTrue(Files.exists(tmp.resolve("device/metadata/anomaly-team.json")), "delegated metadata persisted");
            assertThrows(TufException.TargetNotFoundException.class, () -> u.getTargetInfo("agents/agent-9.jar"));

            // A delegate signature by the wrong key is refused even though snapshot lists the file.
            TufSigner impostor = TufSigner.generate(KeyType.ED25519);
            f.repo.addTarget(file, "models/anomaly/v2.nfm", TargetKind.ANOMALY_MODEL.custom(List.of(Fleet.HW), 2),
                    "anomaly-team", List.of(impostor));
            f.repo.refresh(List.of(f.snapshot), List.of(f.timestamp));
            Updater u2 = f.updater();
            u2.refresh();
            assertThrows(TufException.SignatureException.class, () -> u2.getTargetInfo("models/anomaly/v2.nfm"));
        }
    }
}
