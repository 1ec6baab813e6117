package io.nanofleet.ota.client;

import io.nanofleet.ota.crypto.KeyType;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.metadata.TufException;
import io.nanofleet.ota.repo.Signing;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Root rotation rules (spec 5.3) without any I/O. */
class TrustedMetadataTest {
    static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    static Map<String, Object> root(long version, int threshold, TufSigner... rootKeys) {
        Map<String, Object> keys = new LinkedHashMap<>();
        List<Object> ids = new java.util.ArrayList<>();
        for (TufSigner k : rootKeys) {
            keys.put(k.keyId(), k.publicKey().toMetadata());
            ids.add(k.keyId());
        }
        Map<String, Object> roles = new LinkedHashMap<>();
        for (String r : List.of("root", "targets", "snapshot", "timestamp")) {
            roles.put(r, Map.of("keyids", ids, "threshold", (long) threshold));
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("_type", "root");
        s.put("spec_version", "1.0.31");
        s.put("version", version);
        s.put("expires", "2031-01-01T00:00:00Z");
        s.put("consistent_snapshot", true);
        s.put("keys", keys);
        s.put("roles", roles);
        return s;
    }

    @Test
    void rotationNeedsOldAndNewThresholdAndExactNextVersion() throws Exception {
        TufSigner a = TufSigner.generate(KeyType.ED25519);
        TufSigner b = TufSigner.generate(KeyType.ECDSA_P256);
        TufSigner c = TufSigner.generate(KeyType.ED25519);
        TrustedMetadata t = new TrustedMetadata(Signing.document(root(1, 1, a), List.of(a)), NOW);
        // v2 (keys b, c; threshold 2) signed only by the new keys: old root did not authorize it.
        assertThrows(TufException.SignatureException.class, () -> t.updateRoot(Signing.document(root(2, 2, b, c), List.of(b, c))));
        // Signed by old key and only one of two new keys: below the new threshold.
        assertThrows(TufException.SignatureException.class, () -> t.updateRoot(Signing.document(root(2, 2, b, c), List.of(a, b))));
        // Skipping a version is refused.
        assertThrows(TufException.VersionException.class, () -> t.updateRoot(Signing.document(root(3, 2, b, c), List.of(a, b, c))));
        t.updateRoot(Signing.document(root(2, 2, b, c), List.of(a, b, c)));
        assertEquals(2, t.root().version());
        // The same signature twice: refused as malformed (the spec allows each keyid once), so it cannot count twice.
        byte[] v3 = Signing.document(root(3, 2, b, c), List.of(b));
        Map<String, Object> doc = io.nanofleet.ota.json.Json.parseObject(v3);
        @SuppressWarnings("unchecked")
        List<Object> sigs = (List<Object>) doc.get("signatures");
        sigs.add(sigs.get(0));
        assertThrows(TufException.FormatException.class, () -> t.updateRoot(io.nanofleet.ota.json.Json.pretty(doc)));
    }

    @Test
    void expiredFinalRootIsAFreezeAttack() throws Exception {
        TufSigner a = TufSigner.generate(KeyType.ED25519);
        TrustedMetadata t = new TrustedMetadata(Signing.document(root(1, 1, a), List.of(a)), Instant.parse("2032-01-01T00:00:00Z"));
        assertThrows(TufException.ExpiredException.class, t::checkFinalRoot);
    }
}
