package io.nanofleet.ota.crypto;

/** The TUF key types this implementation signs and verifies, with their wire names. */
public enum KeyType {
    ED25519("ed25519", "ed25519"),
    ECDSA_P256("ecdsa", "ecdsa-sha2-nistp256"),
    RSA_PSS("rsa", "rsassa-pss-sha256");

    public final String keytype;
    public final String scheme;

    KeyType(String keytype, String scheme) {
        this.keytype = keytype;
        this.scheme = scheme;
    }

    /** Maps a (keytype, scheme) pair from metadata; older repositories spell ECDSA's keytype like its scheme. */
    public static KeyType of(String keytype, String scheme) throws UnsupportedKeyException {
        if ("ed25519".equals(keytype) && "ed25519".equals(scheme)) {
            return ED25519;
        }
        if (("ecdsa".equals(keytype) || "ecdsa-sha2-nistp256".equals(keytype)) && "ecdsa-sha2-nistp256".equals(scheme)) {
            return ECDSA_P256;
        }
        if ("rsa".equals(keytype) && "rsassa-pss-sha256".equals(scheme)) {
            return RSA_PSS;
        }
        throw new UnsupportedKeyException("unsupported key type/scheme " + keytype + "/" + scheme);
    }

    /** Parses a CLI spelling: ed25519, ecdsa, rsa. */
    public static KeyType fromName(String name) {
        switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "ed25519":
                return ED25519;
            case "ecdsa":
            case "ecdsa-sha2-nistp256":
                return ECDSA_P256;
            case "rsa":
            case "rsassa-pss-sha256":
                return RSA_PSS;
            default:
                throw new IllegalArgumentException("unknown key type '" + name + "' (use ed25519, ecdsa or rsa)");
        }
    }
}
