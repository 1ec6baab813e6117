package io.nanofleet.server.identity;

import io.nanofleet.server.StartupException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.InputDecryptorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * The fleet's device certificate authority. Its EC P-256 key lives in {@code <dir>/ca-key.pem} as
 * encrypted PKCS#8 (AES-256-CBC, PBKDF2), so a copy of the data directory alone does not let anyone
 * mint device certificates. Device certificates carry {@code CN=<deviceId>} and EKU clientAuth; the
 * broker's TLS certificate is issued here too, so devices need only this one CA certificate.
 */
public final class DeviceCa {
    static final String KEY_FILE = "ca-key.pem";
    static final String CERT_FILE = "ca-cert.pem";
    static final Duration CA_VALIDITY = Duration.ofDays(3650);
    public static final Duration DEVICE_VALIDITY = Duration.ofDays(397);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String BC = "BC";

    static {
        if (Security.getProvider(BC) == null) {
            Security.addProvider(new BouncyCastleProvider());
        }
    }

    private final PrivateKey key;
    private final X509Certificate cert;

    private DeviceCa(PrivateKey key, X509Certificate cert) {
        this.key = key;
        this.cert = cert;
    }

    /** Loads the CA from {@code dir}, or creates it there on first start. */
    public static DeviceCa openOrCreate(Path dir, char[] password) {
        Path keyFile = dir.resolve(KEY_FILE);
        Path certFile = dir.resolve(CERT_FILE);
        try {
            if (Files.exists(keyFile)) {
                return new DeviceCa(readEncryptedKey(Files.readString(keyFile), password),
                        Pem.certificate(Files.readString(certFile)));
            }
            Files.createDirectories(dir);
            KeyPair kp = newEcKeyPair();
            X509Certificate caCert = selfSign(kp);
            SecretFiles.write(keyFile, encryptKey(kp.getPrivate(), password));
            Files.writeString(certFile, Pem.encode(caCert));
            return new DeviceCa(kp.getPrivate(), caCert);
        } catch (PKCSException e) {
            throw new StartupException("cannot decrypt the device CA key " + keyFile + " with the given password ("
                    + e.getMessage() + "). Pass the password it was created with: --ca-password-file or NANOFLEET_CA_PASSWORD.", e);
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new StartupException("cannot load or create the device CA in " + dir + ": " + e.getMessage()
                    + ". Check --data-dir permissions.", e);
        }
    }

    public X509Certificate certificate() {
        return cert;
    }

    public String certificatePem() {
        return Pem.encode(cert);
    }

    /** A new EC P-256 key pair (the server's own TLS key). */
    public static KeyPair newEcKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /**
     * Parses and checks a PKCS#10 request: valid PEM, a valid self-signature (proof the requester has
     * the private key), subject exactly {@code CN=<expected>}, an EC P-256/P-384 or RSA >= 2048 key.
     *
     * @throws CsrException with the reason
     */
    public static PublicKey checkCsr(String pem, String expectedCn) {
        PKCS10CertificationRequest csr;
        try (PEMParser p = new PEMParser(new StringReader(pem == null ? "" : pem))) {
            Object o = p.readObject();
            if (!(o instanceof PKCS10CertificationRequest r)) {
                throw new CsrException("csr must be a PEM '-----BEGIN CERTIFICATE REQUEST-----' block");
            }
            csr = r;
        } catch (IOException | RuntimeException e) {
            if (e instanceof CsrException c) {
                throw c;
            }
            throw new CsrException("csr is not a readable PKCS#10 PEM block: " + e.getMessage());
        }
        try {
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(BC).build(csr.getSubjectPublicKeyInfo()))) {
                throw new CsrException("csr signature does not verify");
            }
        } catch (OperatorCreationException | PKCSException e) {
            throw new CsrException("csr signature cannot be checked: " + e.getMessage());
        }
        X500Name subject = csr.getSubject();
        var cns = subject.getRDNs(BCStyle.CN);
        if (cns.length != 1 || subject.getRDNs().length != 1) {
            throw new CsrException("csr subject must be exactly CN=<deviceId>, got '" + subject + "'");
        }
        String cn = IETFUtils.valueToString(cns[0].getFirst().getValue());
        if (!cn.equals(expectedCn)) {
            throw new CsrException("csr CN '" + cn + "' does not match the token's device id '" + expectedCn + "'");
        }
        PublicKey pub;
        try {
            pub = new JcaPEMKeyConverter().setProvider(BC).getPublicKey(csr.getSubjectPublicKeyInfo());
        } catch (IOException e) {
            throw new CsrException("csr public key unreadable: " + e.getMessage());
        }
        String alg = pub.getAlgorithm();
        if (alg.equals("EC") || alg.equals("ECDSA")) {
            int bits = ((java.security.interfaces.ECPublicKey) pub).getParams().getCurve().getField().getFieldSize();
            if (bits < 256) {
                throw new CsrException("csr EC key must be P-256 or larger, got " + bits + " bits");
            }
        } else if (alg.equals("RSA")) {
            if (((java.security.interfaces.RSAPublicKey) pub).getModulus().bitLength() < 2048) {
                throw new CsrException("csr RSA key must be at least 2048 bits");
            }
        } else {
            throw new CsrException("csr key type " + alg + " is not accepted; use EC P-256");
        }
        return pub;
    }

    /** Issues a device certificate: CN=deviceId, EKU clientAuth, random 128-bit serial. */
    public X509Certificate issueDevice(String deviceId, PublicKey devicePublicKey, long nowMs, Duration validity) {
        try {
            X509v3CertificateBuilder b = builder(cn(deviceId), devicePublicKey, nowMs, validity);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            return sign(b);
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("certificate issue failed: " + e.getMessage(), e);
        }
    }

    /** Issues the broker's TLS certificate for the given host names and IP addresses (EKU serverAuth). */
    public X509Certificate issueServer(PublicKey serverKey, List<String> hosts, long nowMs, Duration validity) {
        try {
            X509v3CertificateBuilder b = builder(cn("nanofleet-server"), serverKey, nowMs, validity);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            List<GeneralName> names = new ArrayList<>();
            for (String h : hosts) {
                names.add(isIp(h) ? new GeneralName(GeneralName.iPAddress, h) : new GeneralName(GeneralName.dNSName, h));
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
            return sign(b);
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("server certificate issue failed: " + e.getMessage(), e);
        }
    }

    private static boolean isIp(String h) {
        return h.matches("[0-9.]+") || h.contains(":");
    }

    /** Hex of a certificate serial, the form stored and compared everywhere. */
    public static String serialHex(X509Certificate c) {
        return c.getSerialNumber().toString(16);
    }

    private static X500Name cn(String cn) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn).build();
    }

    private X509v3CertificateBuilder builder(X500Name subject, PublicKey pub, long nowMs, Duration validity)
            throws GeneralSecurityException, IOException {
        BigInteger serial = new BigInteger(128, RANDOM).setBit(127);
        // Back-date an hour: device clocks drift, and a certificate "not yet valid" is a confusing failure.
        Date from = new Date(nowMs - 3_600_000L);
        Date to = new Date(nowMs + validity.toMillis());
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(cert, serial, from, to, subject, pub);
        JcaX509ExtensionUtils u = new JcaX509ExtensionUtils();
        b.addExtension(Extension.subjectKeyIdentifier, false, u.createSubjectKeyIdentifier(pub));
        b.addExtension(Extension.authorityKeyIdentifier, false, u.createAuthorityKeyIdentifier(cert));
        return b;
    }

    private X509Certificate sign(X509v3CertificateBuilder b) throws OperatorCreationException, GeneralSecurityException {
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").setProvider(BC).build(key);
        X509CertificateHolder h = b.build(signer);
        return new JcaX509CertificateConverter().setProvider(BC).getCertificate(h);
    }

    private static X509Certificate selfSign(KeyPair kp) throws GeneralSecurityException, OperatorCreationException, IOException {
        long now = System.currentTimeMillis();
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "NanoFleet")
                .addRDN(BCStyle.CN, "NanoFleet Device CA " + Long.toHexString(now)).build();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, new BigInteger(128, RANDOM).setBit(127),
                new Date(now - 3_600_000L), new Date(now + CA_VALIDITY.toMillis()), name, kp.getPublic());
        JcaX509ExtensionUtils u = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.subjectKeyIdentifier, false, u.createSubjectKeyIdentifier(kp.getPublic()));
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").setProvider(BC).build(kp.getPrivate());
        return new JcaX509CertificateConverter().setProvider(BC).getCertificate(b.build(signer));
    }

    static String encryptKey(PrivateKey key, char[] password) throws OperatorCreationException, IOException {
        OutputEncryptor enc = new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                .setPassword(password).setIterationCount(210_000).setRandom(RANDOM).setProvider(BC).build();
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(new JcaPKCS8Generator(key, enc));
        }
        return out.toString();
    }

    static PrivateKey readEncryptedKey(String pem, char[] password) throws IOException, OperatorCreationException, PKCSException {
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            Object o = p.readObject();
            if (!(o instanceof PKCS8EncryptedPrivateKeyInfo info)) {
                throw new IOException("expected an encrypted PKCS#8 key, found " + (o == null ? "nothing" : o.getClass().getSimpleName()));
            }
            InputDecryptorProvider dec = new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(password);
            return new JcaPEMKeyConverter().setProvider(BC).getPrivateKey(info.decryptPrivateKeyInfo(dec));
        }
    }

    /** 127.0.0.1 and localhost plus this machine's name: what a server certificate should cover by default. */
    public static List<String> defaultServerNames(List<String> extra) {
        List<String> names = new ArrayList<>(List.of("localhost", "127.0.0.1"));
        try {
            names.add(InetAddress.getLocalHost().getHostName());
        } catch (IOException e) {
            // no resolvable host name: localhost and explicit names still work
        }
        for (String e : extra) {
            if (!names.contains(e)) {
                names.add(e);
            }
        }
        return names;
    }
}
