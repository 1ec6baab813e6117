package io.nanofleet.ota.metadata;

import io.nanofleet.ota.crypto.Hex;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Hash maps ({"sha256": hex, ...}) and the streaming digests that check them. */
public final class Hashes {
    private Hashes() {
    }

    static Map<String, String> parse(Map<?, ?> m, String where) throws TufException.FormatException {
        if (m.isEmpty()) {
            throw new TufException.FormatException(where + ".hashes is empty");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof String)) {
                throw new TufException.FormatException(where + ".hashes." + e.getKey() + " must be a string");
            }
            out.put((String) e.getKey(), (String) e.getValue());
        }
        return out;
    }

    /** JDK digest for a TUF hash algorithm name, or null when unsupported. */
    public static MessageDigest digest(String algorithm) {
        String jdk;
        switch (algorithm) {
            case "sha256":
                jdk = "SHA-256";
                break;
            case "sha384":
                jdk = "SHA-384";
                break;
            case "sha512":
                jdk = "SHA-512";
                break;
            default:
                return null;
        }
        try {
            return MessageDigest.getInstance(jdk);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Fresh digests for every listed algorithm; an unsupported one is an error (it could hide a mismatch). */
    public static Map<String, MessageDigest> digests(Map<String, String> expected) throws TufException.LengthOrHashException {
        Map<String, MessageDigest> out = new LinkedHashMap<>();
        for (String alg : expected.keySet()) {
            MessageDigest d = digest(alg);
            if (d == null) {
                throw new TufException.LengthOrHashException("unsupported hash algorithm " + alg);
            }
            out.put(alg, d);
        }
        return out;
    }

    public static void check(Map<String, MessageDigest> digests, Map<String, String> expected, String what)
            throws TufException.LengthOrHashException {
        for (Map.Entry<String, MessageDigest> e : digests.entrySet()) {
            String got = Hex.encode(e.getValue().digest());
            if (!got.equalsIgnoreCase(expected.get(e.getKey()))) {
                throw new TufException.LengthOrHashException(what + ": " + e.getKey() + " mismatch (expected "
                        + expected.get(e.getKey()) + ", got " + got + ")");
            }
        }
    }

    /** Checks whole bytes against optional length and hashes. */
    public static void verify(byte[] data, Long length, Map<String, String> hashes, String what)
            throws TufException.LengthOrHashException {
        if (length != null && data.length != length) {
            throw new TufException.LengthOrHashException(what + ": length " + data.length + ", expected " + length);
        }
        if (hashes != null) {
            Map<String, MessageDigest> d = digests(hashes);
            for (MessageDigest md : d.values()) {
                md.update(data);
            }
            check(d, hashes, what);
        }
    }

    public static String sha256Hex(byte[] data) {
        return Hex.encode(digest("sha256").digest(data));
    }
}
