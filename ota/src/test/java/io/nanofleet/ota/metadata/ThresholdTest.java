package io.nanofleet.ota.metadata;

import io.nanofleet.ota.crypto.KeyType;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.json.Json;
import io.nanofleet.ota.repo.Signing;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A signature counts once: the TUF specification says each keyid appears at most once in "signatures"
 * (python-tuf refuses such a document when it parses it), and one key must not reach a threshold by being
 * listed under two keyids (go-tuf GHSA-3633-5h82-39pq). Checked at threshold 1 and 2.
 */
class ThresholdTest {
    private static Map<String, Object> targets() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("_type", "targets");
        s.put("spec_version", "1.0.31");
        s.put("version", 1L);
        s.put("expires", "2031-01-01T00:00:00Z");
        s.put("targets", new LinkedHashMap<>());
        return s;
    }

    /** Keys by keyid, and the targets role naming {@code keyids} with {@code threshold}. */
    private static Root root(int threshold, Map<String, TufSigner> keysById) throws Exception {
        Map<String, Object> keys = new LinkedHashMap<>();
        keysById.forEach((id, k) -> keys.put(id, k.publicKey().toMetadata()));
        Map<String, Object> roles = new LinkedHashMap<>();
        for (String r : List.of("root", "targets", "snapshot", "timestamp")) {
            roles.put(r, Map.of("keyids", new ArrayList<>(keysById.keySet()), "threshold", (long) threshold));
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("_type", "root");
        s.put("spec_version", "1.0.31");
        s.put("version", 1L);
        s.put("expires", "2031-01-01T00:00:00Z");
        s.put("consistent_snapshot", true);
        s.put("keys", keys);
        s.put("roles", roles);
        List<TufSigner> signers = new ArrayList<>(new java.util.LinkedHashSet<>(keysById.values()));
        return new Root(Metadata.parse(Signing.document(s, signers), Root.TYPE));
    }

    /** The signatures list of a signed document, with {@code edit} applied, as bytes again. */
    @SuppressWarnings("unchecked")
    private static byte[] editSignatures(byte[] doc, java.util.function.Consumer<List<Object>> edit) throws Exception {
        Map<String, Object> d = Json.parseObject(doc);
        edit.accept((List<Object>) d.get("signatures"));
        return Json.pretty(d);
    }

    @Test
    void theSameKeyidTwiceIsRefusedAtThresholdOne() throws Exception {
        TufSigner a = TufSigner.generate(KeyType.ED25519);
        Root root = root(1, Map.of(a.keyId(), a));
        byte[] once = Signing.document(targets(), List.of(a));
        assertDoesNotThrow(() -> root.verify("targets", Metadata.parse(once, "targets")));
        byte[] twice = editSignatures(once, sigs -> sigs.add(sigs.get(0)));
        TufException.FormatException e = assertThrows(TufException.FormatException.class,
                () -> Metadata.parse(twice, "targets"));
        assertTrue(e.getMessage().contains(a.keyId()), e.getMessage());
    }

    @Test
    void theSameKeyidTwiceDoesNotMakeThresholdTwo() throws Exception {
        TufSigner a = TufSigner.generate(KeyType.ED25519);
        TufSigner b = TufSigner.generate(KeyType.ECDSA_P256);
        Map<String, TufSigner> ab = new LinkedHashMap<>();
        ab.put(a.keyId(), a);
        ab.put(b.keyId(), b);
        Root root = root(2, ab);
        byte[] onlyA = Signing.document(targets(), List.of(a));
        assertThrows(TufException.SignatureException.class, () -> root.verify("targets", Metadata.parse(onlyA, "targets")));
        byte[] aTwice = editSignatures(onlyA, sigs -> sigs.add(sigs.get(0)));
        assertThrows(TufException.FormatException.class, () -> Metadata.parse(aTwice, "targets"));
        assertDoesNotThrow(() -> root.verify("targets", Metadata.parse(Signing.document(targets(), List.of(a, b)), "targets")));
    }

    @Test
    void oneKeyUnderTwoKeyidsCountsOnce() throws Exception {
        TufSigner a = TufSigner.generate(KeyType.ED25519);
        // Root lists a's public key under its real keyid and under a second, made-up one.
        String alias = "00".repeat(32);
        Map<String, TufSigner> aliased = new LinkedHashMap<>();
        aliased.put(a.keyId(), a);
        aliased.put(alias, a);
        Root root = root(2, aliased);
        byte[] signedOnce = Signing.document(targets(), List.of(a));
        byte[] underBothIds = editSignatures(signedOnce, sigs -> {
            Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) sigs.get(0));
            copy.put("keyid", alias);
            sigs.add(copy);
        });
        Metadata md = Metadata.parse(underBothIds, "targets");
        assertEquals(1, md.countValid(root.role("targets"), rootKeys(root, aliased)));
        TufException.SignatureException e = assertThrows(TufException.SignatureException.class, () -> root.verify("targets", md));
        assertTrue(e.getMessage().contains("1 valid signature"), e.getMessage());
    }

    private static Map<String, Object> rootKeys(Root root, Map<String, TufSigner> keysById) {
        Map<String, Object> keys = new LinkedHashMap<>();
        keysById.forEach((id, k) -> keys.put(id, k.publicKey().toMetadata()));
        return keys;
    }
}
