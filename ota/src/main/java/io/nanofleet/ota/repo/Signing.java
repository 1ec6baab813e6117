package io.nanofleet.ota.repo;

import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.json.CanonicalJson;
import io.nanofleet.ota.json.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns a "signed" object into a TUF document signed by the given keys. */
public final class Signing {
    private Signing() {
    }

    public static byte[] document(Map<String, Object> signed, List<TufSigner> signers) {
        return document(signed, new ArrayList<>(), signers);
    }

    /** Adds signatures to existing ones; a key that already signed is re-signed, not duplicated. */
    public static byte[] document(Map<String, Object> signed, List<Object> existing, List<TufSigner> signers) {
        byte[] canonical = CanonicalJson.encode(signed);
        List<Object> sigs = new ArrayList<>();
        for (Object o : existing) {
            boolean replaced = false;
            for (TufSigner s : signers) {
                replaced |= s.keyId().equals(((Map<?, ?>) o).get("keyid"));
            }
            if (!replaced) {
                sigs.add(o);
            }
        }
        for (TufSigner s : signers) {
            sigs.add(s.sign(canonical));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("signatures", sigs);
        doc.put("signed", signed);
        return Json.pretty(doc);
    }
}
