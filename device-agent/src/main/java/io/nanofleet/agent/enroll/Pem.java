package io.nanofleet.agent.enroll;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PEM armour for the few objects the agent stores: PKCS#8 keys, SubjectPublicKeyInfo, certificates, CSRs. */
public final class Pem {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

    private Pem() {}

    public static String encode(String label, byte[] der) {
        String b64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + b64 + "\n-----END " + label + "-----\n";
    }

    /** Every block with the given label, in order. */
    public static List<byte[]> decodeAll(String pem, String label) {
        List<byte[]> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            if (m.group(1).equals(label)) {
                out.add(Base64.getMimeDecoder().decode(m.group(2)));
            }
        }
        return out;
    }

    public static byte[] decode(String pem, String label) {
        List<byte[]> all = decodeAll(pem, label);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no PEM block '" + label + "' found");
        }
        return all.get(0);
    }

    public static List<X509Certificate> certificates(String pem) throws GeneralSecurityException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        for (byte[] der : decodeAll(pem, "CERTIFICATE")) {
            out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
        }
        if (out.isEmpty()) {
            throw new GeneralSecurityException("no certificate in PEM text");
        }
        return out;
    }

    public static PrivateKey ecPrivateKey(String pem) throws GeneralSecurityException {
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(decode(pem, "PRIVATE KEY")));
    }

    /** A SubjectPublicKeyInfo of the given algorithm (e.g. Ed25519 for the command key). */
    public static PublicKey publicKey(String pem, String algorithm) throws GeneralSecurityException {
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(decode(pem, "PUBLIC KEY")));
    }
}
