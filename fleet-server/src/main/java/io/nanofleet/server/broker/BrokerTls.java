package io.nanofleet.server.broker;

import io.nanofleet.server.identity.DeviceCa;
import io.nanofleet.server.identity.SecretFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * Key and trust stores for the broker's TLS listener, written fresh at every start: a new server key
 * and a certificate from the device CA (so devices trust it with the CA certificate they got at
 * enrollment), and a trust store holding only that CA (so only our devices' certificates pass the
 * handshake). The passwords live only in memory and in the broker's generated config.
 */
public record BrokerTls(Path keystore, Path truststore, String password) {
    static final Duration SERVER_CERT_VALIDITY = Duration.ofDays(397);

    public static BrokerTls create(Path dir, DeviceCa ca, List<String> serverNames) {
        try {
            Files.createDirectories(dir);
            byte[] pw = new byte[24];
            new SecureRandom().nextBytes(pw);
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(pw);
            KeyPair kp = DeviceCa.newEcKeyPair();
            X509Certificate cert = ca.issueServer(kp.getPublic(), serverNames, System.currentTimeMillis(), SERVER_CERT_VALIDITY);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", kp.getPrivate(), password.toCharArray(), new Certificate[] {cert, ca.certificate()});
            Path keystore = dir.resolve("server.p12");
            store(ks, keystore, password);
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            ts.setCertificateEntry("device-ca", ca.certificate());
            Path truststore = dir.resolve("trust.p12");
            store(ts, truststore, password);
            return new BrokerTls(keystore, truststore, password);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot write the broker's TLS stores in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void store(KeyStore ks, Path file, String password) throws IOException, GeneralSecurityException {
        SecretFiles.write(file, "");
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, password.toCharArray());
        }
    }
}
