package io.nanofleet.server.identity;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** JDK SSLContexts from in-memory keys and certificates. */
public final class TlsContexts {
    private TlsContexts() {}

    /** Mutual TLS client: presents {@code cert} (with {@code key}), trusts only {@code ca}. */
    public static SSLContext client(PrivateKey key, X509Certificate cert, X509Certificate ca) {
        try {
            char[] pw = "in-memory".toCharArray();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("client", key, pw, new Certificate[] {cert}); // the broker holds the CA
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), trustOnly(ca).getTrustManagers(), null);
            return ctx;
        } catch (java.io.IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
        }
    }

    public static TrustManagerFactory trustOnly(X509Certificate ca) throws GeneralSecurityException, java.io.IOException {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        return tmf;
    }
}
