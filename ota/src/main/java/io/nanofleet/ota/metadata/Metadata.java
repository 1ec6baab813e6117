package io.nanofleet.ota.metadata;

import io.nanofleet.ota.crypto.TufKey;
import io.nanofleet.ota.crypto.UnsupportedKeyException;
import io.nanofleet.ota.json.CanonicalJson;
import io.nanofleet.ota.json.Json;
import io.nanofleet.ota.json.JsonFormatException;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One signed metadata document ({"signatures": [...], "signed": {...}}) as received. The signed part is
 * kept as the parsed tree, unknown fields included, because signatures cover its canonical form.
 */
public final class Metadata {
    private final Map<String, Object> signed;
    private final List<Object> signatures;
    private final String type;
    private final long version;
    private final Instant expires;
    private byte[] canonical;

    private Metadata(Map<String, Object> signed, List<Object> signatures) throws TufException.FormatException {
        this.signed = signed;
        this.signatures = signatures;
        this.type = Fields.str(signed, "_type", "signed");
        this.version = Fields.positive(signed, "version", "signed");
        this.expires = Fields.instant(signed, "expires", "signed");
        String spec = Fields.str(signed, "spec_version", "signed");
        // Same rule as python-tuf: any 1.x is readable, other majors are a different format.
        if (!spec.equals("1") && !spec.startsWith("1.")) {
            throw new TufException.FormatException("unsupported spec_version " + spec);
        }
        Set<Object> keyids = new HashSet<>();
        for (Object s : signatures) {
            if (!(s instanceof Map) || !(((Map<?, ?>) s).get("keyid") instanceof String)
                    || !(((Map<?, ?>) s).get("sig") instanceof String)) {
                throw new TufException.FormatException("each signature needs string keyid and sig");
            }
            // Spec 1.0.x "signatures": the keyid MUST be unique; python-tuf refuses such a document outright.
            if (!keyids.add(((Map<?, ?>) s).get("keyid"))) {
                throw new TufException.FormatException("signatures list keyid " + ((Map<?, ?>) s).get("keyid")
                        + " more than once; each key may sign once");
            }
        }
    }

    /** Parses bytes and checks the role type (e.g. "timestamp"); a null type accepts any. */
    public static Metadata parse(byte[] data, String expectedType) throws TufException.FormatException {
        Map<String, Object> doc;
        try {
            doc = Json.parseObject(data);
        } catch (JsonFormatException e) {
            throw new TufException.FormatException(e.getMessage(), e);
        }
        Metadata md = new Metadata(Fields.obj(doc, "signed", "metadata"), Fields.list(doc, "signatures", "metadata"));
        if (expectedType != null && !expectedType.equals(md.type)) {
            throw new TufException.FormatException("expected _type " + expectedType + " but got " + md.type);
        }
        return md;
    }

    /** Wraps a freshly built signed object (repository side). */
    public static Metadata of(Map<String, Object> signed, List<Object> signatures) throws TufException.FormatException {
        return new Metadata(signed, signatures);
    }

    public Map<String, Object> signed() {
        return signed;
    }

    public List<Object> signatures() {
        return signatures;
    }

    public String type() {
        return type;
    }

    public long version() {
        return version;
    }

    public Instant expires() {
        return expires;
    }

    public boolean isExpired(Instant now) {
        return !now.isBefore(expires);
    }

    public byte[] canonicalSigned() {
        if (canonical == null) {
            canonical = CanonicalJson.encode(signed);
        }
        return canonical;
    }

    /**
     * Counts distinct authorized keys with a valid signature and fails below threshold. Keys that are
     * unknown or unsupported never count; empty "sig" strings (unsigned slots) are skipped. Distinct means
     * distinct key material: one public key listed under two keyids counts once (go-tuf GHSA-3633-5h82-39pq).
     */
    public void verifyThreshold(String roleName, Role role, Map<String, Object> keys) throws TufException.SignatureException {
        int valid = countValid(role, keys);
        if (valid < role.threshold()) {
            throw new TufException.SignatureException(roleName + " (" + type + " v" + version + ") has " + valid
                    + " valid signature(s), threshold is " + role.threshold());
        }
    }

    public int countValid(Role role, Map<String, Object> keys) {
        byte[] data = canonicalSigned();
        Set<String> countedKeys = new HashSet<>();
        for (Object o : signatures) {
            Map<?, ?> s = (Map<?, ?>) o;
            String keyid = (String) s.get("keyid");
            if (!role.keyids().contains(keyid) || !(keys.get(keyid) instanceof Map)) {
                continue;
            }
            TufKey key;
            try {
                key = TufKey.fromMetadata((Map<?, ?>) keys.get(keyid));
            } catch (UnsupportedKeyException e) {
                continue;
            }
            if (key.verify(data, (String) s.get("sig"))) {
                // The DER encoding is one form per key, whatever text form or keyid the metadata used.
                countedKeys.add(java.util.HexFormat.of().formatHex(key.publicKey().getEncoded()));
            }
        }
        return countedKeys.size();
    }

    /** The whole document as JSON bytes (pretty; signatures never cover this form). */
    public byte[] toBytes() {
        Map<String, Object> doc = new java.util.LinkedHashMap<>();
        doc.put("signatures", signatures);
        doc.put("signed", signed);
        return Json.pretty(doc);
    }
}
