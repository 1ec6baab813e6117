package io.nanofleet.agent.enroll;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;

/**
 * PKCS#10 certification request (RFC 2986) for an EC P-256 key, subject {@code CN=<deviceId>}, signed with
 * SHA256withECDSA, encoded with the JDK and {@link Der} only.
 */
public final class CsrBuilder {
    static final String OID_COMMON_NAME = "2.5.4.3";
    static final String OID_ECDSA_SHA256 = "1.2.840.10045.4.3.2";

    private CsrBuilder() {}

    /** A fresh P-256 key pair; the private key never leaves the device. */
    public static KeyPair generateKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** DER bytes of the request. */
    public static byte[] build(String commonName, KeyPair keys) throws GeneralSecurityException {
        byte[] subject = Der.sequence(Der.set(Der.sequence(Der.oid(OID_COMMON_NAME), Der.utf8(commonName))));
        // The JDK's X.509 encoding of the public key is exactly SubjectPublicKeyInfo.
        byte[] spki = keys.getPublic().getEncoded();
        byte[] info = Der.sequence(Der.integer(0), subject, spki, Der.context(0, new byte[0]));
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(keys.getPrivate());
        s.update(info);
        byte[] signature = s.sign(); // already a DER ECDSA-Sig-Value
        return Der.sequence(info, Der.sequence(Der.oid(OID_ECDSA_SHA256)), Der.bitString(signature));
    }
}
