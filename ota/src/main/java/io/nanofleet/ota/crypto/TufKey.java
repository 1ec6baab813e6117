package io.nanofleet.ota.crypto;

import io.nanofleet.ota.json.CanonicalJson;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A public key as TUF metadata carries it, verified with JDK providers only (no Bouncy Castle on the
 * device). Ed25519 keys are 32 raw bytes in hex; ECDSA and RSA keys are PEM SubjectPublicKeyInfo.
 */
public final class TufKey {
    /** X.509 SubjectPublicKeyInfo header for a raw Ed25519 key (RFC 8410). */
    private static final byte[] ED25519_SPKI_PREFIX = Hex.decode("302a300506032b6570032100");

    private final KeyType type;
    private final String publicValue;
    private final PublicKey publicKey;

    private TufKey(KeyType type, String publicValue, PublicKey publicKey) {
        this.type = type;
        this.publicValue = publicValue;
        this.publicKey = publicKey;
    }

    /** Builds a key from a metadata "keys" entry: {keytype, scheme, keyval:{public}}. */
    public static TufKey fromMetadata(Map<?, ?> entry) throws UnsupportedKeyException {
        Object keytype = entry.get("keytype");
        Object scheme = entry.get("scheme");
        Object keyval = entry.get("keyval");
        if (!(keytype instanceof String) || !(scheme instanceof String) || !(keyval instanceof Map)
                || !(((Map<?, ?>) keyval).get("public") instanceof String)) {
            throw new UnsupportedKeyException("key entry lacks keytype, scheme or keyval.public");
        }
        KeyType t = KeyType.of((String) keytype, (String) scheme);
        return fromPublicValue(t, (String) ((Map<?, ?>) keyval).get("public"));
    }

    public static TufKey fromPublicValue(KeyType type, String value) throws UnsupportedKeyException {
        try {
            byte[] spki;
            String alg;
            switch (type) {
                case ED25519: {
                    byte[] raw = Hex.decode(value);
                    if (raw.length != 32) {
                        throw new UnsupportedKeyException("ed25519 public key must be 32 bytes, got " + raw.length);
                    }
                    spki = concat(ED25519_SPKI_PREFIX, raw);
                    alg = "Ed25519";
                    break;
                }
                case ECDSA_P256:
                    spki = pemBody(value);
                    alg = "EC";
                    break;
                default:
                    spki = pemBody(value);
                    alg = "RSA";
                    break;
            }
            PublicKey pk = KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(spki));
            return new TufKey(type, value, pk);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new UnsupportedKeyException("cannot decode " + type.scheme + " public key: " + e.getMessage(), e);
        }
    }

    /** Builds the metadata form of a JDK public key. */
    public static TufKey fromPublicKey(KeyType type, PublicKey pk) {
        String value;
        if (type == KeyType.ED25519) {
            byte[] enc = pk.getEncoded();
            byte[] raw = java.util.Arrays.copyOfRange(enc, enc.length - 32, enc.length);
            value = Hex.encode(raw);
        } else {
            value = "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pk.getEncoded())
                    + "\n-----END PUBLIC KEY-----\n";
        }
        return new TufKey(type, value, pk);
    }

    private static byte[] pemBody(String pem) {
        String body = pem.replace("-----BEGIN PUBLIC KEY-----", "")
                .replace("-----END PUBLIC KEY-----", "")
                .replaceAll("\\s", "");
        return Base64.getDecoder().decode(body);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    public KeyType type() {
        return type;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** The metadata form: {"keytype", "keyval": {"public"}, "scheme"}. */
    public Map<String, Object> toMetadata() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("keytype", type.keytype);
        Map<String, Object> kv = new LinkedHashMap<>();
        kv.put("public", publicValue);
        m.put("keyval", kv);
        m.put("scheme", type.scheme);
        return m;
    }

    /** Key id as TUF computes it: hex SHA-256 of the canonical JSON of the public key object. */
    public String keyId() {
        return keyId(toMetadata());
    }

    /**
     * Key id of a key entry exactly as metadata carries it, custom fields included (python-tuf hashes the
     * whole entry, so tuf-on-ci's "x-tuf-on-ci-keyowner" is part of the id).
     */
    public static String keyId(Map<?, ?> entry) {
        try {
            return Hex.encode(MessageDigest.getInstance("SHA-256").digest(CanonicalJson.encode(entry)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Verifies a hex signature over data; a malformed signature is simply invalid, never an exception. */
    public boolean verify(byte[] data, String sigHex) {
        if (sigHex == null || sigHex.isEmpty()) {
            return false;
        }
        try {
            byte[] sig = Hex.decode(sigHex);
            Signature s = newSignature(type, sig.length);
            s.initVerify(publicKey);
            s.update(data);
            return s.verify(sig);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    static Signature newSignature(KeyType type, int sigLength) throws GeneralSecurityException {
        switch (type) {
            case ED25519:
                return Signature.getInstance("Ed25519");
            case ECDSA_P256:
                // securesystemslib writes DER; some signers (KMS, raw P1363) emit 64 raw bytes.
                return Signature.getInstance(sigLength == 64 ? "SHA256withECDSAinP1363Format" : "SHA256withECDSA");
            default: {
                Signature s = Signature.getInstance("RSASSA-PSS");
                // securesystemslib signs with salt length = digest length (32).
                s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
                return s;
            }
        }
    }
}
