package io.nanofleet.ota.crypto;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/** A private key able to produce TUF signatures ({"keyid", "sig"}). */
public final class TufSigner {
    private final TufKey publicKey;
    private final PrivateKey privateKey;
    private final String keyId;

    public TufSigner(TufKey publicKey, PrivateKey privateKey) {
        this.publicKey = publicKey;
        this.privateKey = privateKey;
        this.keyId = publicKey.keyId();
    }

    public static TufSigner generate(KeyType type) {
        try {
            KeyPairGenerator g;
            switch (type) {
                case ED25519:
                    g = KeyPairGenerator.getInstance("Ed25519");
                    break;
                case ECDSA_P256:
                    g = KeyPairGenerator.getInstance("EC");
                    g.initialize(new ECGenParameterSpec("secp256r1"));
                    break;
                default:
                    g = KeyPairGenerator.getInstance("RSA");
                    g.initialize(3072);
                    break;
            }
            KeyPair kp = g.generateKeyPair();
            return new TufSigner(TufKey.fromPublicKey(type, kp.getPublic()), kp.getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks " + type + " support", e);
        }
    }

    public String keyId() {
        return keyId;
    }

    public TufKey publicKey() {
        return publicKey;
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    public String signHex(byte[] data) {
        try {
            Signature s = TufKey.newSignature(publicKey.type(), -1);
            s.initSign(privateKey);
            s.update(data);
            return Hex.encode(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing failed", e);
        }
    }

    /** The signature entry as metadata carries it. */
    public Map<String, Object> sign(byte[] canonicalSigned) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("keyid", keyId);
        m.put("sig", signHex(canonicalSigned));
        return m;
    }
}
