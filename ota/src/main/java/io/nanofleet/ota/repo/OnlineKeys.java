package io.nanofleet.ota.repo;

import io.nanofleet.ota.crypto.TufKey;
import io.nanofleet.ota.crypto.UnsupportedKeyException;
import io.nanofleet.ota.json.Json;
import io.nanofleet.ota.json.JsonFormatException;
import io.nanofleet.ota.metadata.Root;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The public keys of the roles a fleet server signs online (snapshot, timestamp, director), as the server
 * hands them to the operator ({@code GET /api/v1/tuf/online-keys}) and {@code nanofleet-ota init --online-keys}
 * reads them: {@code {"snapshot":{"keytype","scheme","keyval":{"public"},"keyid"},"timestamp":{..},"director":{..}}}.
 * The operator's offline root lists exactly these keys, so the server never needs root or targets keys.
 */
public final class OnlineKeys {
    public static final List<String> ROLES = List.of("snapshot", "timestamp", Root.DIRECTOR_ROLE);

    private OnlineKeys() {
    }

    /** The document for {@code keys} (role to key), each key in TUF metadata form plus its "keyid". */
    public static Map<String, Object> toJson(Map<String, TufKey> keys) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String role : ROLES) {
            TufKey k = keys.get(role);
            if (k == null) {
                throw new IllegalArgumentException("no " + role + " key");
            }
            Map<String, Object> m = new LinkedHashMap<>(k.toMetadata());
            m.put("keyid", k.keyId());
            out.put(role, m);
        }
        return out;
    }

    /** Parses the document; every role must be there, and a given "keyid" must be the key's own id. */
    public static Map<String, TufKey> parse(byte[] json) {
        Map<String, Object> doc;
        try {
            doc = Json.parseObject(json);
        } catch (JsonFormatException e) {
            throw new IllegalArgumentException("online keys file is not JSON: " + e.getMessage(), e);
        }
        Map<String, TufKey> out = new LinkedHashMap<>();
        for (String role : ROLES) {
            if (!(doc.get(role) instanceof Map<?, ?> entry)) {
                throw new IllegalArgumentException("online keys file has no \"" + role + "\" key object (expected the JSON of "
                        + "GET /api/v1/tuf/online-keys)");
            }
            TufKey k;
            try {
                k = TufKey.fromMetadata(entry);
            } catch (UnsupportedKeyException e) {
                throw new IllegalArgumentException("online keys file: the " + role + " key is unusable: " + e.getMessage(), e);
            }
            if (entry.get("keyid") != null && !k.keyId().equals(entry.get("keyid"))) {
                throw new IllegalArgumentException("online keys file: the " + role + " key's \"keyid\" " + entry.get("keyid")
                        + " is not the id of its public key (" + k.keyId() + ")");
            }
            out.put(role, k);
        }
        return out;
    }
}
